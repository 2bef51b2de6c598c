using SmartRegion.Web.Tests;

[assembly: AssemblyFixture(typeof(WebSite))]

// One browser, one host, two shared cores: pages are tested one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
