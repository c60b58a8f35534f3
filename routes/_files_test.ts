import assert from "node:assert/strict";
import { contentDisposition, parseRange } from "./_files.ts";

Deno.test("Content-Disposition cannot be broken out of by a hostile name", () => {
  const h = contentDisposition('evil"\r\nSet-Cookie: x=1; .tar.gz');
  assert.doesNotMatch(h, /[\r\n]/);
  assert.equal(h.split('"').length, 3, "exactly one quoted filename");
  assert.match(h, /filename\*=UTF-8''evil%22%0D%0ASet-Cookie/);
});

Deno.test("ranges: open, suffix, clamped, unsatisfiable, multi-range served whole", () => {
  assert.deepEqual(parseRange("bytes=10-", 100), { start: 10, end: 99 });
  assert.deepEqual(parseRange("bytes=-5", 100), { start: 95, end: 99 });
  assert.deepEqual(parseRange("bytes=90-500", 100), { start: 90, end: 99 });
  assert.equal(parseRange("bytes=100-", 100), null);
  assert.equal(parseRange("bytes=5-2", 100), null);
  assert.equal(parseRange("items=1-2", 100), null);
  assert.equal(parseRange("bytes=0-1,5-6", 100), "full");
  assert.equal(parseRange(undefined, 100), "full");
});
