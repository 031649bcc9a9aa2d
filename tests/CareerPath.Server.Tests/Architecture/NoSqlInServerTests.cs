using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace CareerPath.Server.Tests.Architecture;

/// <summary>
/// The Server holds no SQL (DESIGN.md, "Architecture"): its endpoints, pages and commands call the
/// query and command classes of CareerPath.Workflows. A string literal of a .cs file (or any text of
/// a .cshtml or .razor page) that reads like SQL fails this test, which names the file and line.
/// </summary>
public sealed class NoSqlInServerTests
{
    static readonly Regex[] Sql =
    [
        new(@"\bSELECT\b[\s\S]+?\bFROM\s+[\w.""({]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new(@"\bINSERT\s+INTO\s+[\w.""{]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new(@"\bUPDATE\s+[\w.""{}]+(\s+(AS\s+)?\w+)?\s+SET\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new(@"\bDELETE\s+FROM\s+[\w.""{]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
    ];

    [Fact]
    public void No_file_under_src_CareerPath_Server_contains_SQL()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "CareerPath.Server");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();
        Assert.NotEmpty(files);
        var offences = files.SelectMany(f => Offences(Path.GetRelativePath(RepositoryRoot(), f), File.ReadAllText(f))).ToList();
        Assert.True(offences.Count == 0,
            $"SQL in {offences.Select(o => o.File).Distinct().Count()} file(s) of src/CareerPath.Server: move it to a query or command class of CareerPath.Workflows.\n"
            + string.Join("\n", offences.Select(o => $"  {o.File}:{o.Line}: {o.Excerpt}")));
    }

    [Fact]
    public void The_check_finds_SQL_in_every_kind_of_string_literal_and_not_in_comments_or_prose()
    {
        const string source = """"
            // SELECT id FROM advisor: a comment may speak of SQL.
            /* UPDATE contract SET end_date = @end */
            class Sample
            {
                const string A = "SELECT id FROM advisor WHERE id = @id";
                const string B = @"insert into access_log (at) values (@now)";
                const string C = """
                    UPDATE api_token
                       SET revoked_at = @now
                    """;
                string D(string t) => $"DELETE FROM {t} WHERE id = @id";
                const string E = "Sélectionnez une structure, puis mettez à jour la fiche."; // prose, not SQL
                const char F = '"';
                const string G = "Le journal refuse UPDATE et DELETE.";
            }
            """";
        var found = Offences("Sample.cs", source).Select(o => o.Line).ToList();
        Assert.Equal([5, 6, 8, 11], found);

        var page = Offences("Pages/Sample.cshtml",
            "<label for=\"s\">L'établissement</label> <select id=\"s\" asp-for=\"From\"></select>\n@{ var rows = db.Query(\"select name from structure\"); }");
        Assert.Equal(("Pages/Sample.cshtml", 2), Assert.Single(page.Select(o => (o.File, o.Line))));
    }

    static IEnumerable<(string File, int Line, string Excerpt)> Offences(string file, string text)
    {
        // A page's strings are its C# literals and its attribute values alike; its prose and tags (<select>) are not strings.
        foreach (var (start, literal) in StringLiterals(text, charLiterals: file.EndsWith(".cs", StringComparison.Ordinal)))
            foreach (var regex in Sql)
                if (regex.Match(literal) is { Success: true } match)
                {
                    var line = text[..(start + match.Index)].Count(c => c == '\n') + 1;
                    var excerpt = Regex.Replace(match.Value, @"\s+", " ");
                    yield return (file, line, excerpt.Length > 80 ? excerpt[..80] + "…" : excerpt);
                    break;
                }
    }

    /// <summary>
    /// The string literals of C# source, with their offsets: regular, verbatim, raw (""" … """) and
    /// interpolated ones (their holes are kept as text). Comments and character literals are skipped
    /// (in a page, an apostrophe is prose: no character literals there).
    /// </summary>
    static IEnumerable<(int Start, string Text)> StringLiterals(string s, bool charLiterals)
    {
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '/') { i = s.IndexOf('\n', i) is var n and >= 0 ? n : s.Length; continue; }
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*') { i = s.IndexOf("*/", i + 2, StringComparison.Ordinal) is var n and >= 0 ? n + 2 : s.Length; continue; }
            if (charLiterals && s[i] == '\'')
            {
                i++;
                while (i < s.Length && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
                i++;
                continue;
            }
            if (s[i] != '"') { i++; continue; }
            // The prefix: $ (any number) and @ in either order, right before the quote.
            var verbatim = false;
            for (var p = i - 1; p >= 0 && (s[p] == '$' || s[p] == '@'); p--) verbatim |= s[p] == '@';
            var quotes = 0;
            while (i + quotes < s.Length && s[i + quotes] == '"') quotes++;
            if (quotes >= 3)
            {
                var close = new string('"', quotes);
                var start = i + quotes;
                var end = s.IndexOf(close, start, StringComparison.Ordinal);
                if (end < 0) end = s.Length;
                yield return (start, s[start..end]);
                i = end + quotes;
                continue;
            }
            if (quotes == 2 && !verbatim) { i += 2; continue; } // ""
            var text = new StringBuilder();
            var from = ++i;
            while (i < s.Length)
            {
                if (verbatim && s[i] == '"' && i + 1 < s.Length && s[i + 1] == '"') { text.Append('"'); i += 2; continue; }
                if (s[i] == '"') break;
                if (!verbatim && s[i] == '\\' && i + 1 < s.Length) { text.Append(s[i + 1]); i += 2; continue; }
                if (!verbatim && s[i] == '\n') break;
                text.Append(s[i++]);
            }
            yield return (from, text.ToString());
            i++;
        }
    }

    /// <summary>The folder of CareerPath.sln: above the test binaries, or (built elsewhere, --artifacts-path) above this source file.</summary>
    internal static string RepositoryRoot([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CareerPath.sln"))) return dir.FullName;
        throw new InvalidOperationException($"CareerPath.sln not found above {AppContext.BaseDirectory} nor above {source}");
    }
}
