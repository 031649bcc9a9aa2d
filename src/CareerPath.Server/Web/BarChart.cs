using System.Globalization;
using System.Net;
using System.Text;

namespace CareerPath.Server.Web;

/// <summary>One series of a bar chart: its name in the legend and the table's column.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<int?> Values);

/// <summary>
/// A horizontal bar chart drawn by the server as SVG (no script, no inline style: the page's CSP holds,
/// and it prints), always shown with its data table (<c>_BarChart</c>). A value that is null is a
/// suppressed count — 1 to 4 people, or a cell that would give one back — drawn as no bar and written
/// "&lt; 5", never as a number.
/// </summary>
public sealed record BarChart(string Id, string Title, string CategoryHeader, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>What a suppressed cell shows.</summary>
    public const string Suppressed = "< 5";

    /// <summary>DSFR colours with at least 3:1 contrast on white (WCAG 1.4.11): blue France, green, orange, purple.</summary>
    static readonly string[] Colours = ["#000091", "#18753c", "#b34000", "#6e445a"];

    public static string Colour(int series) => Colours[series % Colours.Length];

    public static string Cell(int? value) => value is { } v ? v.ToString("N0", Fr.Culture) : Suppressed;

    const int LabelWidth = 230, BarsWidth = 400, ValueWidth = 60, BarHeight = 16, BarGap = 3, RowGap = 14, Top = 8;

    /// <summary>The chart as an SVG element; the title and a one-line summary are its accessible name and description.</summary>
    public string Svg()
    {
        var max = Math.Max(1, Series.SelectMany(s => s.Values).Max(v => v ?? 0));
        var rowHeight = Series.Count * (BarHeight + BarGap) - BarGap + RowGap;
        var height = Top + Categories.Count * rowHeight + 4;
        var width = LabelWidth + BarsWidth + ValueWidth;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" class="cp-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{Id}-titre {Id}-desc" font-family="Marianne, arial, sans-serif" font-size="13">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="{Id}-titre">{E(Title)}</title><desc id="{Id}-desc">{E(Description())}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{LabelWidth}" y1="0" x2="{LabelWidth}" y2="{height}" stroke="#666666" stroke-width="1"/>""");
        for (var c = 0; c < Categories.Count; c++)
        {
            var y0 = Top + c * rowHeight;
            var middle = y0 + (rowHeight - RowGap) / 2.0;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth - 8}" y="{middle + 4:0.#}" text-anchor="end" fill="#161616">{E(Shorten(Categories[c]))}</text>""");
            for (var s = 0; s < Series.Count; s++)
            {
                var y = y0 + s * (BarHeight + BarGap);
                var value = Series[s].Values[c];
                var length = value is { } v ? Math.Max(v > 0 ? 2.0 : 0, BarsWidth * (double)v / max) : 0;
                if (length > 0)
                    svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y}" width="{length:0.#}" height="{BarHeight}" fill="{Colour(s)}"/>""");
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + length + 6:0.#}" y="{y + BarHeight - 4}" fill="#161616">{E(Cell(value))}</text>""");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>"Série : catégorie n, …" for a screen reader that announces the picture; the table says it all too.</summary>
    string Description() => string.Join(" ; ", Series.Select(s =>
        (Series.Count > 1 ? s.Label + " — " : "") + string.Join(", ", Categories.Select((c, i) => $"{c} {Cell(s.Values[i])}"))));

    static string Shorten(string label) => label.Length <= 32 ? label : label[..31] + "…";

    static string E(string text) => WebUtility.HtmlEncode(text);
}
