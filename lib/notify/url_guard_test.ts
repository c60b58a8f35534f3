import assert from "node:assert/strict";
import { assertOutboundUrl } from "./url_guard.ts";

Deno.test("metadata addresses and non-http schemes are refused; LAN is allowed", async () => {
  for (
    const bad of [
      "http://169.254.169.254/latest",
      "http://[fd00:ec2::254]/",
      "file:///etc/passwd",
      "ftp://x/",
    ]
  ) {
    await assert.rejects(assertOutboundUrl(bad), /link-local|Only http/, bad);
  }
  for (
    const ok of ["http://192.168.1.10:9000/", "https://127.0.0.1:8443/hook", "http://10.0.0.5/"]
  ) {
    assert.ok(await assertOutboundUrl(ok));
  }
});
