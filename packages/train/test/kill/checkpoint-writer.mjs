// A checkpoint writer to be killed: writes versions A and B of the same checkpoint, alternately, until killed.
// Usage: node checkpoint-writer.mjs <url of checkpoint-file module> <target path> <versions JSON>
const [moduleUrl, target, versionsJson] = process.argv.slice(2);
const { writeCheckpoint } = await import(moduleUrl);
const { createRng } = await import('@offramp/core');

const makeEntries = (variables) =>
  variables.map(({ name, shape, seed }) => {
    const rng = createRng(seed);
    const size = shape.reduce((a, b) => a * b, 1);
    return { name, shape, values: Float32Array.from({ length: size }, () => rng.next() * 2 - 1) };
  });
const versions = JSON.parse(versionsJson).map(makeEntries);
process.stdout.write('ready\n');
for (let i = 0; ; i++) await writeCheckpoint(target, versions[i % versions.length]);
