using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CareerPath.Server.Tests.Api;

/// <summary>
/// Sign-in through an OpenID Connect provider (ProConnect in production): a small provider of our own
/// on a test server (discovery, keys, token endpoint; authorization answered by the test as a user
/// would), the real OIDC handler of CareerPath in front of it.
/// </summary>
public sealed class ProConnectTests : IAsyncLifetime
{
    const string Issuer = "http://idp.test";
    readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    WebApplication _provider = null!;
    ApiHost _host = null!;
    string? _nonce;
    (string Email, bool Verified) _user;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer, ["authorization_endpoint"] = $"{Issuer}/authorize", ["token_endpoint"] = $"{Issuer}/token",
            ["jwks_uri"] = $"{Issuer}/jwks", ["response_types_supported"] = new[] { "code" }, ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _provider.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        _provider.MapPost("/token", () =>
        {
            var now = TimeProvider.System.GetUtcNow().UtcDateTime;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer, Audience = "careerpath", IssuedAt = now, NotBefore = now, Expires = now.AddMinutes(5),
                Subject = new ClaimsIdentity([new Claim("sub", "agent-42"), new Claim("email", _user.Email), new Claim("nonce", _nonce!)]),
                Claims = new Dictionary<string, object> { ["email_verified"] = _user.Verified },
                SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { access_token = "opaque", token_type = "Bearer", expires_in = 300, id_token = idToken });
        });
        await _provider.StartAsync();

        _host = await ApiHost.CreateAsync(new()
        {
            ["Authentication:OpenIdConnect:Authority"] = Issuer,
            ["Authentication:OpenIdConnect:ClientId"] = "careerpath",
            ["Authentication:OpenIdConnect:ClientSecret"] = "secret",
            ["Authentication:OpenIdConnect:RequireHttpsMetadata"] = "false",
        }, configure: services => services.PostConfigure<OpenIdConnectOptions>("proconnect",
            o => o.BackchannelHttpHandler = _provider.GetTestServer().CreateHandler()));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>The whole round: challenge, the provider's answer posted back, the cookie it yields.</summary>
    async Task<HttpResponseMessage> SignInAsync(string email, bool verified)
    {
        _user = (email, verified);
        var client = _host.Anonymous();
        var challenge = await client.GetAsync("/api/auth/proconnect");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith($"{Issuer}/authorize", authorize.ToString());
        var query = HttpUtility.ParseQueryString(authorize.Query);
        _nonce = query["nonce"];
        var cookies = string.Join("; ", challenge.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var callback = new HttpRequestMessage(HttpMethod.Post, new Uri(query["redirect_uri"]!).AbsolutePath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "one-time-code", ["state"] = query["state"]! }),
        };
        callback.Headers.Add("Cookie", cookies);
        return await client.SendAsync(callback);
    }

    [Fact]
    public async Task A_verified_address_of_an_account_signs_in_with_that_accounts_role_and_anything_else_is_refused()
    {
        var signedIn = await SignInAsync("RH@commune-a.fr", verified: true);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("careerpath=")).Split(';')[0];
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookie);
        var body = await ApiHost.ReadJsonAsync(await _host.Anonymous().SendAsync(me));
        Assert.Equal("hr", body["role"]!.GetValue<string>());
        Assert.Equal(_host.Data.StructureA, body["structures"]![0]!.GetValue<Guid>());

        foreach (var (email, verified) in new[] { ("rh@commune-a.fr", false), ("inconnu@commune-a.fr", true) })
        {
            var refused = await SignInAsync(email, verified);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.DoesNotContain(refused.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("careerpath="));
        }
    }
}
