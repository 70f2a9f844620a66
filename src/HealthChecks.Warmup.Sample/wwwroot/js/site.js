// A script like any site's: the warm-up fetches it so that the static file cache is hot.
document.documentElement.classList.add("js");
