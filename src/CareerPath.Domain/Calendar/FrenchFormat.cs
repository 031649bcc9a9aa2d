using System.Globalization;

namespace CareerPath.Domain.Calendar;

// Explanations are French whatever the server culture, so formatting never goes through CurrentCulture.
internal static class FrenchFormat
{
    private static readonly string[] DayNames = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
    private static readonly NumberFormatInfo Numbers = new() { NumberGroupSeparator = " ", NumberDecimalSeparator = "," };

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    public static string Date(DateOnly? date) => date is { } d ? Date(d) : "—";
    public static string DayName(DateOnly date) => DayNames[(int)date.DayOfWeek];
    public static string Euros(decimal amount) => amount.ToString("#,0.##", Numbers) + " €";
}
