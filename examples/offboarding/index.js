// A user's own offboarding stack: the package does the work, this file only wires it up.
// Stack outputs: per-account status, task id and times, and totals by status.
const { defineOffboarding } = require("pulumi-docspace");

const { offboardingFile, accounts, totals } = defineOffboarding();
module.exports = { offboardingFile, accounts, totals };
