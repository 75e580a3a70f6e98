/**
 * Prints one plain closing line, `N passed, N failed[, N skipped]`, after jest's own summary, so any
 * CI reading the run's last line sees the totals without parsing jest's format.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    // At exit, after jest's own summary lines.
    process.once('exit', () => process.stderr.write(`${skipped ? `${line}, ${skipped} skipped` : line}\n`));
  }
}
module.exports = SummaryReporter;
