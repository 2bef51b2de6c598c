// Validates GLB files with the Khronos glTF-Validator (npm gltf-validator) and prints one JSON report per file:
//   node tests/web/tools/validate-glb.mjs FILE.glb…  →  [{"file", "numErrors", "numWarnings", "numInfos", "messages": [...]}]
// Used by the .NET tests of the 3D tiles (every GLB produced must have zero errors).
import { readFile } from 'node:fs/promises';
import { validateBytes } from 'gltf-validator';

const reports = [];
for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(file));
  const result = await validateBytes(bytes, { maxIssues: 50, uri: file });
  const issues = result.issues;
  reports.push({
    file,
    numErrors: issues.numErrors,
    numWarnings: issues.numWarnings,
    numInfos: issues.numInfos,
    messages: issues.messages.map((m) => `${['error', 'warning', 'info', 'hint'][m.severity] ?? m.severity} ${m.code} ${m.pointer ?? ''}: ${m.message}`),
  });
}
process.stdout.write(JSON.stringify(reports));
