using System.Security.Claims;

namespace CareerPath.Server.Security;

/// <summary>The four roles of CareerPath. Stored in app_user.role and carried as the role claim.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Hr = "hr";
    public const string Advisor = "advisor";
    public const string Auditor = "auditor";
    /// <summary>The State's national and regional coordinators: counts across all structures, people never.</summary>
    public const string Program = "program";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Admin, Hr, Advisor, Auditor, Program };
}

/// <summary>Named authorization policies: every endpoint names one.</summary>
public static class Policies
{
    public const string Admin = "admin";
    /// <summary>HR managers and administrators: records of structures.</summary>
    public const string Staff = "staff";
    /// <summary>HR managers, administrators and advisors: personal records, each checked against the caller.</summary>
    public const string PersonalRecords = "personal-records";
    /// <summary>Union auditors, HR managers and administrators: pseudonymised or scoped reports.</summary>
    public const string Reports = "reports";
    /// <summary>Union auditors and administrators: the decision audit log.</summary>
    public const string Audit = "audit";
    public const string Hr = "hr";
    /// <summary>Program coordinators and administrators: the national counts and the open-data file.</summary>
    public const string Program = "program";
    public const string Authenticated = "authenticated";
}

/// <summary>Claim types of a CareerPath principal, built from the database at each sign-in or token use.</summary>
public static class CareerPathClaims
{
    public const string UserId = ClaimTypes.NameIdentifier;
    public const string Structure = "careerpath:structure";
    public const string Advisor = "careerpath:advisor";
}

/// <summary>
/// Who is calling, and what records they may touch. Resource-based checks go through here: an HR
/// manager only the structures they are scoped to, an advisor only their own records.
/// </summary>
public sealed class Caller
{
    public required Guid UserId { get; init; }
    public required string Email { get; init; }
    public required string Role { get; init; }
    public IReadOnlySet<Guid> Structures { get; init; } = new HashSet<Guid>();
    public Guid? AdvisorId { get; init; }

    public bool IsAdmin => Role == Roles.Admin;
    public bool IsHr => Role == Roles.Hr;
    public bool IsAdvisor => Role == Roles.Advisor;
    public bool IsAuditor => Role == Roles.Auditor;
    public bool IsProgram => Role == Roles.Program;

    /// <summary>How the journal and tasks record the person: role and account.</summary>
    public string Actor => $"{Role}:{Email}";

    public bool MaySeeStructure(Guid? structureId) => IsAdmin || (IsHr && structureId is { } id && Structures.Contains(id));

    /// <summary>An advisor's record: their structure's HR managers, the advisor themself, administrators.</summary>
    public bool MaySeeAdvisor(Guid advisorId, IEnumerable<Guid?> structures) =>
        IsAdmin || (IsAdvisor && AdvisorId == advisorId) || (IsHr && structures.Any(s => s is { } id && Structures.Contains(id)));

    /// <summary>Structures a query is limited to; null = no limit (administrator).</summary>
    public Guid[]? StructureFilter => IsAdmin ? null : [.. Structures];

    public static Caller From(ClaimsPrincipal principal) => new()
    {
        UserId = Guid.Parse(principal.FindFirstValue(CareerPathClaims.UserId) ?? throw new InvalidOperationException("No user id claim.")),
        Email = principal.FindFirstValue(ClaimTypes.Name) ?? "",
        Role = principal.FindFirstValue(ClaimTypes.Role) ?? "",
        Structures = principal.FindAll(CareerPathClaims.Structure).Select(c => Guid.Parse(c.Value)).ToHashSet(),
        AdvisorId = principal.FindFirstValue(CareerPathClaims.Advisor) is { } a ? Guid.Parse(a) : null,
    };
}
