// A user's own offboarding stack: the package does the work, this file only wires it up.
// defineOffboarding() looks at the whole file through the gate first (refusing the run, naming
// every problem with its line, before anything is declared), prints what each planned step does to
// the person's data, then declares the resources. Its result is the stack outputs: accounts,
// totals, impact and offboardingFile.
const { defineOffboarding } = require("pulumi-docspace");

module.exports = defineOffboarding(); // reads offboarding.yaml next to Pulumi.yaml
