import assert from "node:assert/strict";
import { decodeState, encodeState } from "../../site/src/url_state.ts";
import { SNIPPETS } from "../../site/src/snippets.ts";

Deno.test("encodeState() names an unedited starter by id, and decodeState() reads it back", () => {
  const starter = SNIPPETS[1]!;
  const fragment = encodeState({
    code: starter.code,
    profiles: ["node", "deno"],
  }, starter.id);
  assert.equal(fragment, `s=${starter.id}&p=node,deno`);
  assert.deepEqual(decodeState(`#${fragment}`), {
    code: starter.code,
    starterId: starter.id,
    profiles: ["node", "deno"],
    problems: [],
  });
});

Deno.test("encodeState() carries edited code, Unicode included, through the URL", () => {
  const code = 'console.log("héllo → 世界 🎉");\n'.repeat(40);
  const fragment = encodeState({ code, profiles: ["html"] }, SNIPPETS[0]!.id);
  assert.match(fragment, /^code=[A-Za-z0-9_-]+&p=html$/);
  assert.deepEqual(decodeState(fragment), {
    code,
    profiles: ["html"],
    problems: [],
  });
});

Deno.test("decodeState() reports what is wrong with a link and keeps the rest", () => {
  const bad = decodeState("s=nope&p=html,vm,node,deno");
  assert.deepEqual(bad.profiles, ["html", "node"]);
  assert.equal(bad.code, undefined);
  assert.deepEqual(bad.problems, [
    'There is no starter snippet "nope".',
    "Unknown profile vm.",
  ]);
  assert.deepEqual(decodeState("code=%%%").problems, [
    "The code in the link is damaged (not base64url UTF-8).",
  ]);
  assert.deepEqual(decodeState(""), { problems: [] });
});
