using System.Buffers.Text;
using System.Text;

namespace CareerPath.Workflows.Queries;

/// <summary>
/// Keyset paging: a page is the rows after a cursor in a stable order, so rows inserted while a client
/// pages never shift the pages it has yet to read. The cursor is opaque to clients (base64url of the
/// last row's sort key); each query class decides what its key is.
/// </summary>
public sealed record PageRequest(int Limit, string? After)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static PageRequest First(int limit = DefaultLimit) => new(limit, null);

    /// <summary>Rows to read for a page: one more than the limit, which only says whether a next page exists.</summary>
    public int Take => Limit + 1;

    /// <summary>How paging works, for the API's description of its limit and after parameters.</summary>
    public const string LimitDescription =
        "Nombre d'éléments par page : 100 par défaut, de 1 à 1000 (au-delà : 400).";
    public const string AfterDescription =
        "Curseur opaque : la valeur « next » de la page précédente, pour lire la suivante (absent : la première page). " +
        "Les listes sont triées par une clé unique (l'ordre de création, ou l'échéance puis l'identifiant) ; une ligne ajoutée " +
        "pendant la lecture ne décale jamais les pages restantes : chaque élément est lu une fois au plus. « next » vaut null " +
        "sur la dernière page. Un curseur qui n'est pas celui de cette liste : 400.";
}

/// <summary>One page of a list, and the cursor of the next page (null on the last one).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    /// <summary>
    /// Builds a page from rows read with LIMIT limit + 1: the extra row only says there is a next page.
    /// </summary>
    public static Page<T> From(IReadOnlyList<T> rows, int limit, Func<T, string> key) =>
        rows.Count > limit
            ? new(rows.Take(limit).ToList(), Cursor.Encode(key(rows[limit - 1])))
            : new(rows, null);
}

public static class Cursor
{
    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    /// <summary>The key inside a cursor, or null when it is not one of ours (the caller answers 400).</summary>
    public static string? TryDecode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 400) return null;
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The key of a list sorted by day, then by a unique text (an id): the day first, in a fixed format.</summary>
    public static string DayKey(DateOnly day, string unique) => $"{day:yyyy-MM-dd}|{unique}";

    /// <summary>
    /// The key of a named list's cursor ("list:key"): a cursor of another list, whose key may look the same
    /// (another table's id), is then refused (400) rather than read as a position in this one.
    /// </summary>
    public static string Key(string list, string key) => $"{list}:{key}";

    /// <summary>The key inside a cursor made by <see cref="Key"/> for this list, or null.</summary>
    public static string? TryDecode(string? cursor, string list) =>
        TryDecode(cursor) is { } key && key.Length > list.Length && key.StartsWith(list, StringComparison.Ordinal) && key[list.Length] == ':'
            ? key[(list.Length + 1)..]
            : null;

    public static bool TryDecodeId(string? cursor, string list, out Guid id)
    {
        id = Guid.Empty;
        return TryDecode(cursor, list) is { } key && Guid.TryParseExact(key, "D", out id);
    }

    public static bool TryDecodeDay(string? cursor, string list, out DateOnly day, out string unique) => ParseDay(TryDecode(cursor, list), out day, out unique);

    public static bool TryDecodeSeq(string? cursor, string list, out long seq) => ParseSeq(TryDecode(cursor, list), out seq);

    static bool ParseDay(string? key, out DateOnly day, out string unique)
    {
        (day, unique) = (default, "");
        if (key is not { Length: > 11 } || key[10] != '|') return false;
        unique = key[11..];
        return DateOnly.TryParseExact(key[..10], "yyyy-MM-dd", out day);
    }

    static bool ParseSeq(string? key, out long seq)
    {
        seq = 0;
        return key is not null && long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seq);
    }
}

