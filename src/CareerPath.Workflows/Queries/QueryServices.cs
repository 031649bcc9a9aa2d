using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CareerPath.Workflows.Queries;

public static class QueryServices
{
    /// <summary>
    /// The read side of the API (and of the pages to come): one class per resource, stateless over the
    /// NpgsqlDataSource, so singletons. Needs NpgsqlDataSource, WorkflowEngine and TimeProvider registered.
    /// </summary>
    public static IServiceCollection AddCareerPathQueries(this IServiceCollection services)
    {
        services.TryAddSingleton<StructureQueries>();
        services.TryAddSingleton<PostQueries>();
        services.TryAddSingleton<GrantTranches>();
        services.TryAddSingleton<AdvisorQueries>();
        services.TryAddSingleton<AdvisorCommands>();
        services.TryAddSingleton<ContractQueries>();
        services.TryAddSingleton<TimelineQueries>();
        services.TryAddSingleton<TaskQueries>();
        services.TryAddSingleton<DeadlineQueries>();
        services.TryAddSingleton<CalendarFeedQueries>();
        services.TryAddSingleton<ReportQueries>();
        services.TryAddSingleton<DecisionAuditQueries>();
        services.TryAddSingleton<PersonalDataExports>();
        services.TryAddSingleton<CorrectionRequests>();
        return services;
    }
}
