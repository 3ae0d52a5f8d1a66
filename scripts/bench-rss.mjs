// Runs the CLI in this process and reports its peak RSS on exit (for bench.mjs).
process.on('exit', () => {
  process.stderr.write(`PEAK_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
process.argv = [process.argv[0], new URL('../bin/pyconfine.js', import.meta.url).pathname, ...process.argv.slice(2)];
await import('../dist/cli.js');
