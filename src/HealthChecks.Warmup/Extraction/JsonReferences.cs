using HealthChecks.Warmup.Discovery;
using System.Text.Json;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// References that HTML carries in JSON, read with System.Text.Json: an import map's module URLs, the
/// pages speculation rules prefetch or prerender, and a web app manifest's icons, screenshots and pages.
/// JSON that does not parse, or has another shape, yields nothing.
/// </summary>
internal static class JsonReferences
{
    private static readonly JsonDocumentOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 };

    /// <summary>
    /// <c>&lt;script type="importmap"&gt;</c>: its <c>imports</c>, then each of its <c>scopes</c> (merged: a
    /// specifier keeps its first mapping), resolved against <paramref name="baseUrl"/> into <paramref name="maps"/>.
    /// </summary>
    public static void ImportMap(string json, Uri baseUrl, ImportMaps maps) => Read(json, root =>
    {
        Map(root, "imports", baseUrl, maps);
        if (root.TryGetProperty("scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Object)
        {
            foreach (var scope in scopes.EnumerateObject())
            {
                Map(scope.Value, null, baseUrl, maps);
            }
        }
    });

    private static void Map(JsonElement owner, string? name, Uri baseUrl, ImportMaps maps)
    {
        var map = owner;
        if ((name is null || owner.TryGetProperty(name, out map)) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String && LinkResolver.Resolve(baseUrl, entry.Value.GetString()) is { } url)
                {
                    maps.Add(entry.Name, url);
                }
            }
        }
    }

    /// <summary><c>&lt;script type="speculationrules"&gt;</c>: the <c>urls</c> of its list rules, as pages.</summary>
    public static void SpeculationRules(string json, List<(string Raw, LinkRole Role)> found) => Read(json, root =>
    {
        foreach (var action in new[] { "prefetch", "prerender" })
        {
            if (root.TryGetProperty(action, out var rules) && rules.ValueKind == JsonValueKind.Array)
            {
                foreach (var rule in rules.EnumerateArray())
                {
                    if (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var url in urls.EnumerateArray())
                        {
                            AddString(url, found, LinkRole.Page);
                        }
                    }
                }
            }
        }
    });

    /// <summary>A web app manifest: <c>icons</c>, <c>screenshots</c> and shortcuts' icons as resources; <c>start_url</c> and shortcuts' <c>url</c> as pages.</summary>
    public static void WebManifest(ReadOnlyMemory<byte> json, List<(string Raw, LinkRole Role)> found)
    {
        try
        {
            using var document = JsonDocument.Parse(json, s_options);
            Manifest(document.RootElement, found);
        }
        catch (JsonException)
        {
            // Not JSON: nothing to read.
        }
    }

    private static void Manifest(JsonElement root, List<(string Raw, LinkRole Role)> found)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        Images(root, "icons", found);
        Images(root, "screenshots", found);
        if (root.TryGetProperty("start_url", out var start))
        {
            AddString(start, found, LinkRole.Page);
        }
        if (root.TryGetProperty("shortcuts", out var shortcuts) && shortcuts.ValueKind == JsonValueKind.Array)
        {
            foreach (var shortcut in shortcuts.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
            {
                if (shortcut.TryGetProperty("url", out var url))
                {
                    AddString(url, found, LinkRole.Page);
                }
                Images(shortcut, "icons", found);
            }
        }
    }

    private static void Images(JsonElement owner, string name, List<(string Raw, LinkRole Role)> found)
    {
        if (owner.TryGetProperty(name, out var images) && images.ValueKind == JsonValueKind.Array)
        {
            foreach (var image in images.EnumerateArray())
            {
                if (image.ValueKind == JsonValueKind.Object && image.TryGetProperty("src", out var src))
                {
                    AddString(src, found, LinkRole.Resource);
                }
            }
        }
    }

    private static void Read(string json, Action<JsonElement> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json, s_options);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                read(document.RootElement);
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to read.
        }
    }

    private static void AddString(JsonElement value, List<(string Raw, LinkRole Role)> found, LinkRole role)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } raw)
        {
            found.Add((raw, role));
        }
    }
}
