// A bundle writer to be killed: writes versions A and B of the same bundle folder, alternately, until killed.
// Usage: node bundle-writer.mjs <url of the node entry> <bundle folder> <versions JSON file>
// The versions file holds [{ manifest, files: { name: base64 } }, ...].
import { readFile } from 'node:fs/promises';

const [moduleUrl, dir, versionsFile] = process.argv.slice(2);
const { writeOnnxBundle } = await import(moduleUrl);
const versions = JSON.parse(await readFile(versionsFile, 'utf8')).map(({ manifest, files }) => ({
  manifest,
  files: Object.fromEntries(Object.entries(files).map(([name, text]) => [name, new Uint8Array(Buffer.from(text, 'base64'))])),
}));
process.stdout.write('ready\n');
for (let i = 1; ; i++) await writeOnnxBundle(dir, versions[i % versions.length]);
