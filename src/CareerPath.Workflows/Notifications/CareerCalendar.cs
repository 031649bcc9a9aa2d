using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace CareerPath.Workflows.Notifications;

/// <summary>
/// Every calendar object CareerPath emits (the .ics of a reminder, the HR managers' feeds) is built here, so
/// they all say who made them and what they are for.
/// </summary>
public static class CareerCalendar
{
    /// <summary>CareerPath's own product identifier (RFC 5545 §3.7.3), instead of the library's.</summary>
    public const string ProductId = "-//CareerPath//Conseillers numériques//FR";

    /// <summary>
    /// PUBLISH: the events are for information, nobody is asked to answer (RFC 5546 §3.2.1). An e-mail attachment
    /// must carry a METHOD, and the same value in its Content-Type (RFC 6047 §2.4).
    /// </summary>
    public const string Method = "PUBLISH";

    /// <summary>An all-day event on a day, stamped from the engine's clock rather than the library's.</summary>
    public static CalendarEvent AllDay(string uid, string summary, string? description, DateOnly day, DateTimeOffset stamp) => new()
    {
        Uid = uid,
        Summary = summary,
        Description = description,
        DtStart = new CalDateTime(day.Year, day.Month, day.Day),
        DtStamp = new CalDateTime(stamp.UtcDateTime),
    };

    public static string Serialize(Ical.Net.Calendar calendar)
    {
        calendar.ProductId = ProductId;
        calendar.Method = Method;
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }
}
