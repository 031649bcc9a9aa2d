using System.Globalization;

namespace CareerPath.Server.Hosting;

/// <summary>
/// Test and operations hook, off by default (<c>CareerPath:Clock:OffsetFile</c>): the system clock
/// moved by an offset read from a file, so that one driver can skip time for several server
/// processes at once (the chaos suite skips hours and days while the nodes run). The file holds a
/// number of seconds (invariant culture, may be fractional); a missing or unreadable file is no
/// offset. It is re-read only when its modification time changes, so asking the time costs one
/// stat. Writers replace the file atomically (write beside it, then rename), so a reader never sees
/// half a number. The offset is only ever moved forward: business time must not run backwards.
/// </summary>
public sealed class OffsetFileClock(string path) : TimeProvider
{
    readonly Lock _gate = new();
    DateTime _seen = DateTime.MinValue;
    TimeSpan _offset;

    public string Path { get; } = path;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset();

    public TimeSpan Offset()
    {
        // A missing file reads as 1601-01-01: no offset until the driver writes one.
        var stamp = File.GetLastWriteTimeUtc(Path);
        lock (_gate)
        {
            if (stamp == _seen) return _offset;
            _offset = Read(Path);
            _seen = stamp;
            return _offset;
        }
    }

    static TimeSpan Read(string path)
    {
        try
        {
            return double.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.Zero;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Writes an offset the way readers expect it: to a file beside, then renamed over the old one.</summary>
    public static void Write(string path, TimeSpan offset)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, offset.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        File.Move(temporary, path, overwrite: true);
    }
}
