using SmartRegion.Testing;

[assembly: AssemblyFixture(typeof(TestDatabase))]
