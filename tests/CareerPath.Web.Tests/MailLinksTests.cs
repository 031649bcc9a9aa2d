using CareerPath.Web.Tests.Infrastructure;

namespace CareerPath.Web.Tests;

/// <summary>
/// The links the e-mails carry (taken from the outbox the engine wrote, not typed here) open the
/// right page for their recipient, through the sign-in page when the browser is not signed in.
/// </summary>
[Collection("site")]
public sealed class MailLinksTests(WebSite site, BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_contract_link_sent_to_the_hr_manager_opens_the_advisor_page_after_sign_in()
    {
        var (link, advisorId, advisorName) = await site.QueryAsync<(string, Guid, string)>("""
            SELECT m.data->>'link', c.advisor_id, a.full_name
              FROM outbox_message m
              JOIN workflow_instance i ON i.id = m.instance_id
              JOIN contract c ON c.id = i.subject_id
              JOIN advisor a ON a.id = c.advisor_id
             WHERE m.recipient_role = 'hr' AND m.data->>'link' LIKE '/contracts/%' AND i.structure_id = ANY(@structures)
             ORDER BY m.created_at DESC LIMIT 1
            """, new { structures = site.HrStructures.ToArray() });
        var page = await NewPageAsync(site);
        await page.GotoAsync(link);
        Assert.Contains("/connexion", page.Url);
        await page.SignInFromHereAsync(site.Hr);
        Assert.Contains($"/conseillers/{advisorId}", page.Url);
        Assert.Contains(advisorName, await page.Locator("h1").InnerTextAsync());
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_post_link_opens_the_post_page_and_a_contract_link_sent_to_the_advisor_opens_their_own_page()
    {
        var postLink = await site.QueryAsync<string>("""
            SELECT m.data->>'link' FROM outbox_message m JOIN workflow_instance i ON i.id = m.instance_id
             WHERE m.data->>'link' LIKE '/posts/%' AND i.structure_id = ANY(@structures)
             ORDER BY m.created_at DESC LIMIT 1
            """, new { structures = site.HrStructures.ToArray() });
        var hr = await NewPageAsync(site);
        var response = await hr.SignInToAsync(site.Hr, postLink);
        Assert.Equal(200, response!.Status);
        Assert.Contains($"/postes/{postLink.Split('/').Last()}", hr.Url);

        var advisorLink = await site.QueryAsync<string>("""
            SELECT m.data->>'link' FROM outbox_message m JOIN workflow_instance i ON i.id = m.instance_id JOIN contract c ON c.id = i.subject_id
             WHERE m.recipient_role = 'advisor' AND c.advisor_id = @advisor AND m.data->>'link' LIKE '/contracts/%'
             ORDER BY m.created_at DESC LIMIT 1
            """, new { advisor = site.Advisor.AdvisorId });
        var advisor = await NewPageAsync(site);
        await advisor.GotoAsync(advisorLink);
        await advisor.SignInFromHereAsync(site.Advisor);
        Assert.EndsWith("/mon-contrat", advisor.Url.Split('#')[0]);
        await advisor.AssertAccessibleAsync();

        // The weekly digest's link opens the dashboard.
        var digest = await hr.GotoAsync("/deadlines");
        Assert.Equal(200, digest!.Status);
        Assert.Contains("/tableau-de-bord", hr.Url);
    }
}
