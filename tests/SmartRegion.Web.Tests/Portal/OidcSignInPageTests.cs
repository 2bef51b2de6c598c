using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SmartRegion.Api.Tests.Trust;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>
/// /portail/connexion in the real browser against a real OpenID Connect provider (OpenIddict on the loopback): one button
/// per configured provider, a sign-in through one of them end to end, and each refusal told in words the person can act
/// on — an answer that matches no sign-in of this browser, an expired ID token, a domain the provider does not vouch for,
/// an unverified e-mail, a provider that does not answer — in French and in English.
/// </summary>
public sealed class OidcSignInPageTests(WebSite site) : IAsyncLifetime
{
    internal const string Domain = "region.test";

    private TestIdentityProvider _idp = null!;
    private WebApplicationFactory<Program> _host = null!;

    /// <summary>The site with the providers configured (the same database as the shared site).</summary>
    internal Uri Address { get; private set; } = null!;

    internal TestIdentityProvider Idp => _idp;

    public async ValueTask InitializeAsync()
    {
        _idp = await TestIdentityProvider.StartOnLoopbackAsync();
        (_host, Address) = StartSite(site, _idp);
        await _idp.RegisterClientAsync(new Uri(Address, "/api/v1/auth/oidc/test/callback").ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _idp.DisposeAsync();
    }

    /// <summary>A site whose providers are the test provider ("test") and one that never answers ("panne").</summary>
    internal static (WebApplicationFactory<Program>, Uri) StartSite(WebSite site, TestIdentityProvider idp) =>
        WebSite.StartHost(site.Database.ApiConnectionString, new Dictionary<string, string?>
        {
            ["Auth:Oidc:test:Authority"] = idp.Address.ToString(),
            ["Auth:Oidc:test:ClientId"] = TestIdentityProvider.ClientId,
            ["Auth:Oidc:test:ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["Auth:Oidc:test:DisplayName"] = "Fédération de test",
            ["Auth:Oidc:test:Domains:0"] = Domain,
            ["Auth:Oidc:test:ClockSkewSeconds"] = "5",
            ["Auth:Oidc:panne:Authority"] = $"http://127.0.0.1:{ClosedPort()}/",
            ["Auth:Oidc:panne:ClientId"] = "smartregion",
            ["Auth:Oidc:panne:DisplayName"] = "Fournisseur en panne",
        }, services =>
        {
            // Both providers are plain HTTP on the loopback (a real deployment's are HTTPS).
            // A cold provider's first discovery took over a minute at load 40-60 in the Api tests: minutes, not the default 60 s.
            services.Configure<OpenIdConnectOptions>("oidc-test", o => (o.RequireHttpsMetadata, o.BackchannelTimeout) = (false, TimeSpan.FromMinutes(5)));
            services.Configure<OpenIdConnectOptions>("oidc-panne", o => o.RequireHttpsMetadata = false);
        });

    /// <summary>A loopback port nothing listens on.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task SignInPage_OneButtonPerProvider_SignsInThroughTheProvider_AndSaysWhyARefusalHappened()
    {
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync($"Agence {Partners.Token()}");
        var email = $"{Partners.Token("ana")}@{Domain}";
        var ana = await partners.Accounts.CreateUserAsync(email, "Ana Lefèvre", null, false, TestContext.Current.CancellationToken);
        await partners.Accounts.SetMembershipAsync(ana.Id, org.Id, "editor", TestContext.Current.CancellationToken);

        await using (var browser = await BrowserPage.OpenAsync(site, baseAddress: Address))
        {
            var page = browser.Page;
            await browser.GotoAsync("/portail/connexion");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Connexion à l’espace partenaire");
            var buttons = page.Locator("#identity-providers a");
            // In the order of the configuration (its keys: panne, test).
            await Expect(buttons).ToHaveTextAsync(["Se connecter avec Fournisseur en panne", "Se connecter avec Fédération de test"]);
            await Expect(page.GetByLabel("Adresse électronique")).ToBeVisibleAsync();   // the password stays a way in
            await browser.ScreenshotAsync("choices");
            await browser.AssertAccessibleAsync();

            // Through the provider and back, signed in as the person its verified e-mail names, on the partner space.
            _idp.NextUser = (Guid.NewGuid().ToString("N"), email, true);
            await page.GetByRole(AriaRole.Link, new() { Name = "Se connecter avec Fédération de test" }).ClickAsync();
            await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(email, new() { Timeout = 60_000 });
            Assert.Equal("/portail", new Uri(page.Url).AbsolutePath);
            await browser.AssertHealthyAsync();
        }

        // Each refusal, in a fresh browser: the page names the provider and says what happened and what to do.
        await RefusedAsync("domain", "fr-FR", () => _idp.NextUser = (Guid.NewGuid().ToString("N"), $"{Partners.Token("eve")}@ailleurs.test", true),
            "Se connecter avec Fédération de test", "unknown_domain", "Fédération de test a bien confirmé votre adresse électronique, mais son domaine n’est pas de ceux");
        await RefusedAsync("unverified", "fr-FR", () => _idp.NextUser = (Guid.NewGuid().ToString("N"), $"{Partners.Token("bob")}@{Domain}", false),
            "Se connecter avec Fédération de test", "unverified_email", "Fédération de test n’indique pas que votre adresse électronique a été vérifiée");
        await RefusedAsync("expired", "fr-FR", () =>
            {
                _idp.NextUser = (Guid.NewGuid().ToString("N"), email, true);
                _idp.ExpireIdentityTokens = true;
            },
            "Se connecter avec Fédération de test", "token_expired", "La confirmation envoyée par Fédération de test avait expiré à son arrivée");
        _idp.ExpireIdentityTokens = false;
        await RefusedAsync("down", "fr-FR", () => { }, "Se connecter avec Fournisseur en panne", "provider_unreachable",
            "Fournisseur en panne ne répond pas pour le moment");
        await RefusedAsync("down-en", "en-GB", () => { }, "Sign in with Fournisseur en panne", "provider_unreachable",
            "Fournisseur en panne is not answering at the moment");

        // The provider's answer opened in another browser (no sign-in of its own started there): refused as a state mismatch.
        _idp.NextUser = (Guid.NewGuid().ToString("N"), email, true);
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var first = await BrowserPage.OpenAsync(site, "oidc-state-first", baseAddress: Address))
        {
            // The provider's redirect to the callback (a redirect: Playwright's routes never see it, its request events do).
            first.Page.Request += (_, request) =>
            {
                if (request.Url.Contains("/api/v1/auth/oidc/test/callback?", StringComparison.Ordinal))
                {
                    answer.TrySetResult(request.Url);
                }
            };
            await first.GotoAsync("/portail/connexion");
            await first.Page.GetByRole(AriaRole.Link, new() { Name = "Se connecter avec Fédération de test" }).ClickAsync();
            await Expect(first.Page.Locator("#signed-in-as")).ToContainTextAsync(email, new() { Timeout = 60_000 });
        }
        var callback = await answer.Task;
        await using (var other = await BrowserPage.OpenAsync(site, "oidc-state-other", baseAddress: Address))
        {
            await other.GotoAsync(callback);
            await Expect(other.Page).ToHaveURLAsync(new Regex("/portail/connexion\\?erreur=state&fournisseur=test$"));
            await Expect(other.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("ne correspond à aucune connexion commencée dans ce navigateur");
            await Expect(other.Page.Locator("#signed-in-as")).ToHaveCountAsync(0);
            await other.ScreenshotAsync("refused");
            await other.AssertHealthyAsync();
        }
    }

    [Fact]
    public async Task Invitation_MadeOnTheMembersPage_FollowedInAnotherBrowser_SignsInAMemberWithTheRole_Once()
    {
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync($"Agence {Partners.Token()}");
        var admin = await partners.PersonAsync(org, "admin", PortalKit.Password);
        var invited = $"{Partners.Token("lea")}@perso.test";

        string link;
        await using (var browser = await BrowserPage.OpenAsync(site, "invitation-admin", baseAddress: Address))
        {
            var page = browser.Page;
            await PortalKit.SignInAsync(browser, admin.Email, $"/portail/membres?org={org.Slug}");
            await page.GetByLabel("Adresse électronique de la personne invitée").FillAsync(invited);
            await page.Locator("#invite-role").SelectOptionAsync("viewer");
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer l’invitation" }).ClickAsync();
            await Expect(page.Locator("#invite-link")).ToHaveValueAsync(new Regex("/portail/invitation/[A-Za-z0-9_-]{43}$"));
            link = await page.Locator("#invite-link").InputValueAsync();
            await Expect(page.Locator($"#invitations-table tr[data-invitation='{invited}']")).ToContainTextAsync("En attente");
            await browser.ScreenshotAsync("members");
            await browser.AssertAccessibleAsync();
            await browser.AssertHealthyAsync();
        }
        // The link names the configured public address; the person opens its path on this site.
        var path = new Uri(link).AbsolutePath;

        await using (var browser = await BrowserPage.OpenAsync(site, "invitation-invited", baseAddress: Address))
        {
            var page = browser.Page;
            await browser.GotoAsync(path);
            await Expect(page.Locator("#invitation-summary")).ToHaveTextAsync($"{org.Name} vous invite à rejoindre son espace partenaire comme lecteur·rice.");
            await browser.ScreenshotAsync("invitation");
            await browser.AssertAccessibleAsync();
            // Their provider knows them under a personal address it has not verified: the link vouches for them instead.
            _idp.NextUser = (Guid.NewGuid().ToString("N"), "lea.perso@mail.test", false);
            await page.GetByRole(AriaRole.Link, new() { Name = "Se connecter avec Fédération de test" }).ClickAsync();
            await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(invited, new() { Timeout = 60_000 });
            await Expect(page.Locator("#org-name")).ToHaveTextAsync(org.Name);
            await browser.AssertHealthyAsync();
        }

        // Used once: the link now says so, and another identity following it is refused in words.
        await using (var browser = await BrowserPage.OpenAsync(site, "invitation-again", baseAddress: Address))
        {
            var page = browser.Page;
            await browser.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("a déjà servi");
            await browser.ScreenshotAsync("used");
            await browser.AssertHealthyAsync();
        }
        _idp.NextUser = (Guid.NewGuid().ToString("N"), "mallory@mail.test", true);
        await using (var browser = await BrowserPage.OpenAsync(site, "invitation-other", baseAddress: Address))
        {
            var page = browser.Page;
            await browser.GotoAsync($"/api/v1/auth/oidc/test?invitation={Uri.EscapeDataString(path.Split('/')[^1])}&returnUrl=/portail");
            await Expect(page).ToHaveURLAsync(new Regex("/portail/connexion\\?erreur=invitation_used&fournisseur=test$"), new() { Timeout = 60_000 });
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Cette invitation a déjà servi, avec une autre identité");
            await browser.AssertHealthyAsync();
        }
    }

    private async Task RefusedAsync(string name, string locale, Action arrange, string button, string reason, string words)
    {
        arrange();
        await using var browser = await BrowserPage.OpenAsync(site, $"oidc-refused-{name}", locale, Address);
        var page = browser.Page;
        // English is chosen by ?lang=en (then remembered: the page the provider sends the browser back to is English too).
        await browser.GotoAsync(locale.StartsWith("en", StringComparison.Ordinal) ? "/portail/connexion?lang=en" : "/portail/connexion");
        await page.GetByRole(AriaRole.Link, new() { Name = button }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/portail/connexion\\?erreur={reason}&fournisseur=\\w+$"), new() { Timeout = 60_000 });
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync(words);
        await Expect(page.Locator("#signed-in-as")).ToHaveCountAsync(0);
        await Expect(page.Locator("#identity-providers a")).ToHaveCountAsync(2);   // and the way to start again
        await browser.ScreenshotAsync("page");
        if (name is "domain" or "down-en")
        {
            await browser.AssertAccessibleAsync();
        }
        await browser.AssertHealthyAsync();
    }
}
