import assert from "node:assert/strict";
import { backupFileName, isBackupFileName, parseSums, safeNamePart, sumLine } from "./format.ts";

Deno.test("sumLine() escapes like GNU sha256sum and parseSums() reads it back", () => {
  const h = "a".repeat(64);
  assert.equal(sumLine(h, "volumes/v/plain name.txt"), `${h}  volumes/v/plain name.txt\n`);
  assert.equal(sumLine(h, "a\nb\\c"), `\\${h}  a\\nb\\\\c\n`);
  const text = sumLine(h, "x y") + sumLine("b".repeat(64), "new\nline\\slash\rcr");
  assert.deepEqual([...parseSums(text)], [["x y", h], ["new\nline\\slash\rcr", "b".repeat(64)]]);
});

Deno.test("backup file names are safe and recognisable", () => {
  const name = backupFileName("lab/1", "../../etc", new Date("2026-11-24T20:01:02.345Z"), "zstd");
  assert.equal(name, "lab_1__etc__20261124T200102Z.tar.zst");
  assert.ok(isBackupFileName(name));
  assert.ok(!isBackupFileName("../x.tar.gz"));
  assert.ok(!isBackupFileName("x.tar.gz.json"));
  assert.equal(safeNamePart("<img src=x>"), "img_src_x_");
});
