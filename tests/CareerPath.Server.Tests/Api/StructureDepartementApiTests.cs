using System.Net;
using System.Net.Http.Json;

namespace CareerPath.Server.Tests.Api;

/// <summary>POST /api/structures with its optional département (migration 0007): stored as INSEE writes it, a wrong code refused in French.</summary>
public sealed class StructureDepartementApiTests : IAsyncLifetime
{
    ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static object Body(string siret, string? departement) => new
    {
        name = $"Mairie {siret}", kind = "Commune", legalRegime = "Public", siret, hrName = "Rh Mairie", hrEmail = $"rh.{siret}@mairie.fr", departement,
    };

    [Fact]
    public async Task A_structure_is_created_with_its_departement_and_a_wrong_code_is_a_french_400_on_the_field()
    {
        var admin = _host.As("admin");
        var created = await admin.PostAsJsonAsync("/api/structures", Body("21480095000011", "48"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = await ApiHost.CreatedIdAsync(created);
        Assert.Equal(["48"], await _host.QueryAsync<string>("SELECT departement FROM structure WHERE id = @id", new { id }));

        var before = await _host.FingerprintAsync();
        var refused = await admin.PostAsJsonAsync("/api/structures", Body("21200000000011", "20"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await ApiHost.ReadJsonAsync(refused);
        Assert.Equal("Données invalides", problem["title"]!.GetValue<string>());
        var message = Assert.Single(problem["errors"]!["departement"]!.AsArray())!.GetValue<string>();
        Assert.Contains("« 20 »", message);
        Assert.Contains("2A ou 2B", message);
        Assert.Equal(before, await _host.FingerprintAsync());

        // Without the field, as before migration 0007: created with no département.
        var without = await admin.PostAsJsonAsync("/api/structures", Body("21070019000013", null));
        Assert.Equal(HttpStatusCode.Created, without.StatusCode);
        var bare = await ApiHost.CreatedIdAsync(without);
        Assert.Equal([null], await _host.QueryAsync<string?>("SELECT departement FROM structure WHERE id = @bare", new { bare }));
        // Given later for the same structure: filled in, answered 200 (the structure existed).
        var filled = await admin.PostAsJsonAsync("/api/structures", Body("21070019000013", "07"));
        Assert.Equal(HttpStatusCode.OK, filled.StatusCode);
        Assert.Equal(["07"], await _host.QueryAsync<string?>("SELECT departement FROM structure WHERE id = @bare", new { bare }));
    }
}
