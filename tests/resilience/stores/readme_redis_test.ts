/**
 * Runs README.md's Redis example (a block marked `ignore`, as it needs a
 * server) in a process of its own against a server of the test's own, with
 * `REDIS_URL` pointing at it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { REDIS_SERVER, startRedis } from "./_redis_server.ts";

const ROOT = new URL("../../../", import.meta.url);

function redisExample(): string {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const blocks = [...readme.matchAll(/```ts ignore\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => code.includes("RedisStore"));
  assert.equal(blocks.length, 1, "one Redis example in README.md");
  return blocks[0]!;
}

Deno.test({
  name: "README.md's Redis example runs against a real server",
  ignore: REDIS_SERVER === undefined,
  async fn() {
    await using server = await startRedis();
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/readme_redis_example.ts`;
      await Deno.writeTextFile(file, redisExample());
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          new URL("deno.json", ROOT).pathname,
          file,
        ],
        env: { REDIS_URL: server.url },
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
