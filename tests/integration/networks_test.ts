/**
 * Networks and IPAM against the real engine: sizing by the hardware profile, overlap
 * refusal, the oversized acknowledgment and warning, reservation-aware addresses, static
 * IPs, the IP map, removal refused while used, recreate smaller; prune on the second engine.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

type View = {
  name: string;
  subnet: string | null;
  gateway: string | null;
  running: number;
  stopped: number;
  users: { name: string; ip: string; state: string }[];
  oversized: { prefix: number; recommendedPrefix: number } | null;
};

async function ipOf(container: string, network: string): Promise<string> {
  const i = JSON.parse(await docker("inspect", container))[0];
  return i.NetworkSettings.Networks[network]?.IPAddress ?? "";
}

Deno.test("networks: sizing, create, overlap, oversize, reservations, static IPs, map, remove, recreate smaller", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const planned = `bt-${run}-planned`;
  const big = `bt-${run}-big`;
  const made: string[] = [];
  // A block unlikely to be used by anything else on this machine.
  const octet = 200 + Math.floor(Math.random() * 50);
  const bigSubnet = `10.${octet}.7.0/24`;
  try {
    await t.step("sizing follows the container count and the hardware profile", async () => {
      const s = await admin.json<
        {
          profile: string;
          budget: number | null;
          prefix: number;
          needed: number;
          table: { prefix: number; recommended: boolean }[];
          suggestedSubnet: string;
        }
      >("GET", "/api/networks/sizing?containers=10&ipsPerContainer=1&buffer=0.25");
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.equal(s.body.needed, 13);
      assert.equal(s.body.prefix, 28);
      assert.ok(["PI", "LOW", "MEDIUM", "HIGH", "ENTERPRISE"].includes(s.body.profile));
      assert.equal(s.body.table.filter((r) => r.recommended).map((r) => r.prefix)[0], 28);
      assert.match(s.body.suggestedSubnet, /\/28$/);
      const bad = await admin.json("GET", "/api/networks/sizing?containers=0");
      assert.equal(bad.status, 400);
    });

    await t.step(
      "create at the recommended size; a larger block needs the acknowledgment",
      async () => {
        const created = await admin.json<{ subnet: string; oversized: boolean }>(
          "POST",
          "/api/networks",
          { name: planned, containers: 10 },
        );
        assert.equal(created.status, 201, JSON.stringify(created.body));
        made.push(planned);
        assert.match(created.body.subnet, /\/28$/);
        assert.equal(created.body.oversized, false);
        const refused = await admin.json<{ detail: string }>("POST", "/api/networks", {
          name: big,
          subnet: bigSubnet,
          containers: 10,
        });
        assert.equal(refused.status, 400);
        assert.match(refused.body.detail, /larger than the recommended \/28/);
        await assert.rejects(docker("network", "inspect", big), "nothing was created");
        const acked = await admin.json<{ oversized: boolean }>("POST", "/api/networks", {
          name: big,
          subnet: bigSubnet,
          containers: 10,
          acknowledgeOversize: true,
        });
        assert.equal(acked.status, 201, JSON.stringify(acked.body));
        made.push(big);
        assert.equal(acked.body.oversized, true);
        const list = (await admin.json<View[]>("GET", "/api/networks")).body;
        assert.deepEqual(list.find((n) => n.name === big)?.oversized, {
          prefix: 24,
          recommendedPrefix: 28,
        });
      },
    );

    await t.step("an overlapping subnet is refused naming the network", async () => {
      const overlap = await admin.json<{ detail: string }>("POST", "/api/networks", {
        name: `bt-${run}-clash`,
        subnet: `10.${octet}.7.128/25`,
        containers: 10,
      });
      assert.equal(overlap.status, 409);
      assert.match(overlap.body.detail, new RegExp(big));
      for (
        const body of [
          { name: "x", subnet: "10.0.0.5/24" },
          { name: "x", subnet: "not-a-subnet" },
          { name: "../x" },
          { name: "x", gateway: "10.0.0.1", subnet: `10.${octet}.9.0/28`, containers: 5 },
          { name: "x", extra: true },
        ]
      ) {
        const r = await admin.json("POST", "/api/networks", body);
        assert.equal(r.status, 400, JSON.stringify(body));
      }
    });

    const a = `bt-${run}-a`;
    const b = `bt-${run}-b`;
    const cc = `bt-${run}-c`;
    await t.step("reservations shape automatic addresses; static IPs are checked", async () => {
      const r = await admin.json<{ id: number }>("POST", `/api/networks/${big}/reservations`, {
        name: "Web",
        color: "#ff8800",
        start: `10.${octet}.7.10`,
        end: `10.${octet}.7.19`,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const clash = await admin.json("POST", `/api/networks/${big}/reservations`, {
        name: "Other",
        start: `10.${octet}.7.15`,
        end: `10.${octet}.7.30`,
      });
      assert.equal(clash.status, 409);
      const outside = await admin.json("POST", `/api/networks/${big}/reservations`, {
        name: "Out",
        start: `10.${octet}.8.1`,
        end: `10.${octet}.8.5`,
      });
      assert.equal(outside.status, 400);
      for (const n of ["a", "b", "c"]) await containers.create(n);
      const auto = await admin.json<{ ip: string }>("POST", `/api/networks/${big}/connect`, {
        container: a,
        auto: true,
      });
      assert.equal(auto.status, 200, JSON.stringify(auto.body));
      assert.equal(auto.body.ip, `10.${octet}.7.2`, "first free after the gateway");
      assert.equal(
        (auto.body as unknown as { cli: string }).cli,
        `docker network connect --ip 10.${octet}.7.2 ${big} ${a}`,
      );
      assert.equal(await ipOf(a, big), `10.${octet}.7.2`);
      const inWeb = await admin.json<{ ip: string }>("POST", `/api/networks/${big}/connect`, {
        container: b,
        reservation: r.body.id,
      });
      assert.equal(inWeb.body.ip, `10.${octet}.7.10`);
      const next = await admin.json<{ ip: string }>("GET", `/api/networks/${big}/next-ip`);
      assert.equal(next.body.ip, `10.${octet}.7.3`, "skips the reserved range and used ones");
      // Guided creation takes the same automatic address.
      const dry = await admin.json<{ cli: { simple: string } }>(
        "POST",
        "/api/containers?dryRun=true",
        {
          name: `bt-${run}-auto`,
          image: "bosun-test/busybox:latest",
          network: big,
          ip: "auto",
        },
      );
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.match(dry.body.cli.simple, new RegExp(`--network ${big} --ip 10\\.${octet}\\.7\\.3 `));
      const taken = await admin.json<{ detail: string }>("POST", `/api/networks/${big}/connect`, {
        container: cc,
        ip: `10.${octet}.7.2`,
      });
      assert.equal(taken.status, 409);
      assert.match(taken.body.detail, new RegExp(a));
      for (const ip of [`10.${octet}.8.2`, `10.${octet}.7.1`, `10.${octet}.7.255`]) {
        const bad = await admin.json("POST", `/api/networks/${big}/connect`, { container: cc, ip });
        assert.equal(bad.status, 400, ip);
      }
      const fixed = await admin.json("POST", `/api/networks/${big}/connect`, {
        container: cc,
        ip: `10.${octet}.7.200`,
      });
      assert.equal(fixed.status, 200);
      assert.equal(await ipOf(cc, big), `10.${octet}.7.200`);
      const map = await admin.json<{ cells: { ip: string; state: string; label?: string }[] }>(
        "GET",
        `/api/networks/${big}/ipmap`,
      );
      const cell = (last: number) => map.body.cells[last];
      assert.equal(map.body.cells.length, 256);
      assert.deepEqual([cell(1).state, cell(2).state, cell(2).label], ["gateway", "used", a]);
      assert.deepEqual([cell(11).state, cell(11).label], ["reserved", "Web"]);
      assert.equal(cell(10).state, "used", "b holds .10 inside the reservation");
      const rows = (await admin.json<{ name: string; networks: string[] }[]>(
        "GET",
        "/api/containers",
      )).body;
      assert.ok(rows.find((x) => x.name === a)?.networks.includes(big), "rows carry networks");
    });

    await t.step("removal is refused while a container (even stopped) uses it", async () => {
      await docker("stop", "-t", "0", cc);
      const refused = await admin.json<{ detail: string }>("DELETE", `/api/networks/${big}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, new RegExp(`${cc} \\(exited\\)`));
      const list = (await admin.json<View[]>("GET", "/api/networks")).body;
      const v = list.find((n) => n.name === big)!;
      assert.deepEqual([v.running, v.stopped], [2, 1]);
      assert.equal((await admin.json("DELETE", "/api/networks/bridge")).status, 409);
      await docker("start", cc);
    });

    await t.step(
      "recreate smaller keeps addresses that fit; the warning can be dismissed",
      async () => {
        const r = await admin.json<
          { subnet: string; moved: { name: string; ip: string; kept: boolean }[] }
        >(
          "POST",
          `/api/networks/${big}/recreate-smaller`,
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.subnet, `10.${octet}.7.0/28`);
        const byName = new Map(r.body.moved.map((m) => [m.name, m]));
        assert.equal(byName.get(a)?.kept, true);
        assert.equal(byName.get(b)?.kept, true);
        assert.equal(byName.get(cc)?.kept, false, ".200 does not fit in /28");
        assert.equal(await ipOf(a, big), `10.${octet}.7.2`);
        assert.equal(await ipOf(b, big), `10.${octet}.7.10`);
        assert.match(await ipOf(cc, big), new RegExp(`^10\\.${octet}\\.7\\.\\d+$`));
        const inspect = JSON.parse(await docker("network", "inspect", big))[0];
        assert.equal(inspect.IPAM.Config[0].Subnet, `10.${octet}.7.0/28`);
        const list = (await admin.json<View[]>("GET", "/api/networks")).body;
        assert.equal(list.find((n) => n.name === big)?.oversized, null);
        // The reservation (.10–.19) no longer fits in /28 entirely and was dropped.
        const res = await admin.json<unknown[]>("GET", `/api/networks/${big}/reservations`);
        assert.deepEqual(res.body, []);
        // Another oversized network: dismissing hides its warning.
        const other = `bt-${run}-wide`;
        await admin.json("POST", "/api/networks", {
          name: other,
          subnet: `10.${octet}.9.0/24`,
          containers: 5,
          acknowledgeOversize: true,
        });
        made.push(other);
        assert.equal(
          (await admin.json("POST", `/api/networks/${other}/dismiss`, { for: "30d" })).status,
          204,
        );
        const after = (await admin.json<View[]>("GET", "/api/networks")).body;
        assert.equal(after.find((n) => n.name === other)?.oversized, null);
        assert.equal(
          (await admin.json("POST", `/api/networks/${other}/dismiss`, { for: "1y" })).status,
          400,
        );
      },
    );

    await t.step("disconnect, then remove", async () => {
      for (const c of [a, b, cc]) {
        const r = await admin.json<{ cli: string }>("POST", `/api/networks/${big}/disconnect`, {
          container: c,
        });
        assert.equal(r.status, 200);
        assert.equal(r.body.cli, `docker network disconnect ${big} ${c}`);
      }
      const removed = await admin.json<{ cli: string }>("DELETE", `/api/networks/${big}`);
      assert.equal(removed.status, 200);
      assert.equal(removed.body.cli, `docker network rm ${big}`);
      await assert.rejects(docker("network", "inspect", big));
      const audit = await admin.json<{ action: string }[]>("GET", `/api/audit?target=${big}`);
      const actions = new Set(audit.body.map((x) => x.action));
      for (
        const x of [
          "network.create",
          "network.connect",
          "network.recreate-smaller",
          "network.remove",
        ]
      ) {
        assert.ok(actions.has(x), x);
      }
    });
  } finally {
    for (const c of ["a", "b", "c"]) await docker("rm", "-f", `bt-${run}-${c}`).catch(() => {});
    for (const n of made) await docker("network", "rm", n).catch(() => {});
  }
});

Deno.test("networks: prune needs its confirmation (second engine)", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const on = (...args: string[]) => docker("-H", engine.host, ...args);
  const name = `bt-prune-${crypto.randomUUID().slice(0, 6)}`;
  await on("network", "create", name);
  try {
    assert.equal((await admin.json("POST", "/api/networks/prune", { confirm: "yes" })).status, 400);
    assert.ok(await on("network", "inspect", name));
    const r = await admin.json<{ deleted: string[] }>("POST", "/api/networks/prune", {
      confirm: "prune networks",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.deleted.includes(name));
    await assert.rejects(on("network", "inspect", name));
  } finally {
    await on("network", "rm", name).catch(() => {});
  }
});
