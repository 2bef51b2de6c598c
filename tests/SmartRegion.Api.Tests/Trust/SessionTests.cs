using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 7: sessions are server-side. Logout, a password change and "sign out everywhere" (by the person or an
/// admin of their organisation) end the session at once, and a copied cookie is useless afterwards. Cookies are Secure
/// whenever the client's connection is HTTPS, behind a reverse proxy too (forwarded headers from configured proxies
/// only); HSTS when served over TLS.
/// </summary>
public sealed class SessionTests(TestDatabase db) : CatalogTest(db)
{
    private const string Password = "a long enough password";

    /// <summary>Signs in; returns the cookie header value (what a thief would copy) and the CSRF token.</summary>
    private async Task<(string Cookie, string Csrf)> SignInAsync(string email, string password = Password)
    {
        using var client = Factory.CreateClient(new() { HandleCookies = false });
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sr_session=", StringComparison.Ordinal));
        var csrf = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("csrfToken").GetString()!;
        return (cookie.Split(';')[0], csrf);
    }

    private async Task<int> SendWithCookieAsync(HttpMethod method, string url, string cookie, string? csrf = null, object? body = null)
    {
        using var client = Factory.CreateClient(new() { HandleCookies = false });
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await client.SendAsync(request, Ct);
        return (int)response.StatusCode;
    }

    private Task<int> MeAsync(string cookie) => SendWithCookieAsync(HttpMethod.Get, "/api/v1/auth/me", cookie);

    private async Task<Data.Catalog.AppUser> PersonAsync(Data.Catalog.Organisation org, string role = "viewer") =>
        (await Kit.UserWithKeyAsync(org, role, password: Password)).User;

    [Fact]
    public async Task Logout_EndsTheSession_CopiedCookieIsUseless()
    {
        var user = await PersonAsync(await Kit.OrgAsync("org"));
        var (cookie, csrf) = await SignInAsync(user.Email);
        var (other, _) = await SignInAsync(user.Email);
        Assert.Equal(200, await MeAsync(cookie));
        Assert.Equal(204, await SendWithCookieAsync(HttpMethod.Post, "/api/v1/auth/logout", cookie, csrf));
        Assert.Equal(401, await MeAsync(cookie));
        // Another device's session is another session.
        Assert.Equal(200, await MeAsync(other));
    }

    [Fact]
    public async Task PasswordChange_EndsEverySession_IncludingTheOneThatChangedIt()
    {
        var user = await PersonAsync(await Kit.OrgAsync("org"));
        var (laptop, csrf) = await SignInAsync(user.Email);
        var (phone, _) = await SignInAsync(user.Email);
        using var client = Factory.CreateClient(new() { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/password")
        {
            Content = JsonContent.Create(new { currentPassword = Password, newPassword = "another long password" }),
        };
        request.Headers.Add("Cookie", laptop);
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fresh = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sr_session=", StringComparison.Ordinal)).Split(';')[0];

        Assert.Equal(401, await MeAsync(laptop));
        Assert.Equal(401, await MeAsync(phone));
        Assert.Equal(200, await MeAsync(fresh));
        await SignInAsync(user.Email, "another long password");
    }

    [Fact]
    public async Task SignOutEverywhere_ByThePerson_AndByAnOrgAdmin()
    {
        var org = await Kit.OrgAsync("org");
        var user = await PersonAsync(org);
        var (one, csrf) = await SignInAsync(user.Email);
        var (two, _) = await SignInAsync(user.Email);
        Assert.Equal(200, await SendWithCookieAsync(HttpMethod.Delete, "/api/v1/auth/sessions", one, csrf));
        Assert.Equal(401, await MeAsync(one));
        Assert.Equal(401, await MeAsync(two));

        var (three, _) = await SignInAsync(user.Email);
        var (_, outsiderKey) = await Kit.UserWithKeyAsync(await Kit.OrgAsync("other"), "admin");
        using var outsider = Kit.Client(outsiderKey);
        Assert.Equal(403, (await CatalogKit.SendAsync(outsider, HttpMethod.Delete, $"/api/v1/organisations/{org.Slug}/members/{user.Email}/sessions")).Status);
        Assert.Equal(200, await MeAsync(three));
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        using var admin = Kit.Client(adminKey);
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/organisations/{org.Slug}/members/{user.Email}/sessions");
        Assert.True(status == 200, body);
        Assert.Equal(1, JsonDocument.Parse(body).RootElement.GetProperty("sessionsEnded").GetInt32());
        Assert.Equal(401, await MeAsync(three));
    }

    [Fact]
    public async Task StateChange_WithoutTheSessionsCsrfToken_IsRefused()
    {
        var user = await PersonAsync(await Kit.OrgAsync("org"));
        var (cookie, csrf) = await SignInAsync(user.Email);
        var (_, otherCsrf) = await SignInAsync(user.Email);
        Assert.Equal(401, await SendWithCookieAsync(HttpMethod.Post, "/api/v1/auth/logout", cookie));
        Assert.Equal(401, await SendWithCookieAsync(HttpMethod.Post, "/api/v1/auth/logout", cookie, otherCsrf));
        Assert.Equal(200, await MeAsync(cookie));
        Assert.Equal(204, await SendWithCookieAsync(HttpMethod.Post, "/api/v1/auth/logout", cookie, csrf));
    }

    /// <summary>Signs in over the given scheme from a given client address; returns the Set-Cookie and HSTS headers.</summary>
    private static async Task<(string SetCookie, string? Hsts)> SignInFromAsync(
        WebApplicationFactory<Program> host, string email, string scheme, string remote, string? forwardedProto)
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri($"{scheme}://localhost"), HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { email, password = Password }) };
        request.Headers.Add(ApiFactory.RemoteAddressHeader, remote);
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sr_session=", StringComparison.Ordinal)),
            response.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? hsts.Single() : null);
    }

    [Fact]
    public async Task Cookie_IsSecure_WhenTheClientsConnectionIsHttps_ThroughTrustedProxiesOnly()
    {
        var user = await PersonAsync(await Kit.OrgAsync("org"));
        await using var behindProxy = Factory.WithWebHostBuilder(b => b.UseSetting("Network:TrustedProxies:0", "10.1.2.0/24"));

        var direct = await SignInFromAsync(behindProxy, user.Email, "https", "127.0.0.1", null);
        Assert.Contains("secure", direct.SetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=", direct.Hsts ?? "", StringComparison.Ordinal);

        var plain = await SignInFromAsync(behindProxy, user.Email, "http", "127.0.0.1", null);
        Assert.DoesNotContain("secure", plain.SetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Null(plain.Hsts);

        // TLS ends at the trusted proxy, which says so: the cookie is Secure.
        var proxied = await SignInFromAsync(behindProxy, user.Email, "http", "10.1.2.3", "https");
        Assert.Contains("secure", proxied.SetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(proxied.Hsts);

        // Anyone else saying so is not believed (loopback included, which ASP.NET Core would trust by default).
        var spoofed = await SignInFromAsync(behindProxy, user.Email, "http", "198.51.100.9", "https");
        Assert.DoesNotContain("secure", spoofed.SetCookie, StringComparison.OrdinalIgnoreCase);
        var loopback = await SignInFromAsync(Factory, user.Email, "http", "127.0.0.1", "https");
        Assert.DoesNotContain("secure", loopback.SetCookie, StringComparison.OrdinalIgnoreCase);
    }
}
