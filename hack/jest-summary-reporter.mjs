// The plain closing line CI reads: "N passed, N failed" (and skipped, when any). Jest's own summary
// is written after every reporter has run, so the line goes to JEST_SUMMARY_FILE when that is set
// (hack/run-tests.mjs prints it last), else straight to stdout.
import { writeFileSync } from 'node:fs';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
    if (process.env.JEST_SUMMARY_FILE) writeFileSync(process.env.JEST_SUMMARY_FILE, `${line}\n`);
    else process.stdout.write(`\n${line}\n`);
  }
}
