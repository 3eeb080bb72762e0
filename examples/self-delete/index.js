// A user's own stack: DocSpace emails deletion instructions to the key's own account.
// The emailed link only disables the profile; an admin still removes the data (UserRemoval).
// Change `trigger` (pulumi config set trigger 2) to send the instructions again.
const pulumi = require("@pulumi/pulumi");
const { SelfDeleteRequest } = require("pulumi-docspace");

const config = new pulumi.Config();
const request = new SelfDeleteRequest("delete-my-docspace-account", { trigger: config.get("trigger") ?? "1" });

module.exports = { sentTo: request.email, sentAt: request.sentAt, message: request.message };
