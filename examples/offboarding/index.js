// A user's own offboarding stack: the package does the work, this file only wires it up.
// It looks at the whole file through the gate first (refusing the run, naming every problem), prints
// what each planned step does to the person's data, then declares the resources.
// Stack outputs: per-account action, status, task id and times; totals by status; the plan's impact.
const { defineCheckedOffboarding } = require("pulumi-docspace");

module.exports = defineCheckedOffboarding().then(({ offboardingFile, accounts, totals, impact }) => ({ offboardingFile, accounts, totals, ...(impact ? { impact } : {}) }));
