import assert from "node:assert/strict";
import { Trace, type TraceEvent } from "../../mod.ts";
import { renderSvg } from "../../src/loop/_render_svg.ts";
import { readFixture, sampleTrace } from "./_trace_programs.ts";

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;

function checkText(text: string, where: number): string {
  if (text.includes("<")) throw new SyntaxError(`'<' in text at ${where}`);
  return text.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new SyntaxError(`bare '&' at ${where}`);
    const named: Record<string, string> = {
      amp: "&",
      lt: "<",
      gt: ">",
      quot: '"',
      apos: "'",
    };
    if (ref in named) return named[ref]!;
    const num = /^#(\d+)$/.exec(ref) ?? /^#x([0-9a-fA-F]+)$/.exec(ref);
    if (num === null) throw new SyntaxError(`bad reference '${m}' at ${where}`);
    return String.fromCodePoint(parseInt(num[1]!, ref[1] === "x" ? 16 : 10));
  });
}

/** A tiny well-formedness checker for the XML subset an SVG file uses. */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    const decoded = checkText(text, i);
    if (stack.length === 0 && text.trim() !== "") {
      throw new SyntaxError(`text outside the root element at ${i}`);
    }
    if (stack.length > 0) stack[stack.length - 1]!.text += decoded;
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i);
      if (end === -1) throw new SyntaxError("unclosed comment");
      i = end + 3;
    } else if (xml.startsWith("</", i)) {
      const m = NAME.exec(xml.slice(i + 2));
      const end = xml.indexOf(">", i);
      if (
        m === null || end === -1 ||
        xml.slice(i + 2 + m[0].length, end).trim() !== ""
      ) {
        throw new SyntaxError(`bad end tag at ${i}`);
      }
      const open = stack.pop();
      if (open?.name !== m[0]) {
        throw new SyntaxError(`</${m[0]}> closes <${open?.name}> at ${i}`);
      }
      i = end + 1;
    } else {
      const m = NAME.exec(xml.slice(i + 1));
      if (m === null) throw new SyntaxError(`bad tag at ${i}`);
      if (root !== undefined && stack.length === 0) {
        throw new SyntaxError("two root elements");
      }
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0].length;
        i += ws;
        if (xml.startsWith("/>", i) || xml.startsWith(">", i)) break;
        if (ws === 0) {
          throw new SyntaxError(`missing space before attribute at ${i}`);
        }
        const a = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(
          xml.slice(i),
        );
        if (a === null) throw new SyntaxError(`bad attribute at ${i}`);
        if (a[1]! in el.attrs) {
          throw new SyntaxError(`duplicate attribute ${a[1]} at ${i}`);
        }
        el.attrs[a[1]!] = checkText(a[3] ?? a[4]!, i);
        i += a[0].length;
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else root = el;
      if (xml.startsWith("/>", i)) i += 2;
      else (i += 1, stack.push(el));
    }
  }
  if (stack.length > 0) {
    throw new SyntaxError(`unclosed <${stack[stack.length - 1]!.name}>`);
  }
  if (root === undefined) throw new SyntaxError("no root element");
  return root;
}

function findAll(
  el: XmlElement,
  pred: (e: XmlElement) => boolean,
): XmlElement[] {
  const out = pred(el) ? [el] : [];
  for (const c of el.children) out.push(...findAll(c, pred));
  return out;
}

/** The text of the first `<text>` element in `el`. */
const textOf = (el: XmlElement) =>
  findAll(el, (e) => e.name === "text")[0]!.text;

const byClass = (root: XmlElement, cls: string) =>
  findAll(root, (e) => e.attrs.class === cls);

Deno.test("Trace.toSvg() is well-formed standalone XML in the SVG namespace", () => {
  const root = parseXml(sampleTrace().toSvg());
  assert.equal(root.name, "svg");
  assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
  assert.match(root.attrs.viewBox!, /^0 0 \d+ \d+$/);
  assert.equal(root.children[0]!.name, "title");
  assert.equal(root.children[0]!.text, "Event-loop trace: 7 events");
});

Deno.test("Trace.toSvg() draws the four lanes in fixed order and one box per event", () => {
  const trace = sampleTrace();
  const root = parseXml(trace.toSvg());
  const lanes = byClass(root, "lane");
  assert.deepEqual(lanes.map((l) => l.attrs["data-lane"]), [
    "task",
    "microtask",
    "timer",
    "render",
  ]);
  assert.deepEqual(
    lanes.map((l) => textOf(l)),
    [
      "Tasks",
      "Microtasks",
      "Timers",
      "Rendering",
    ],
  );
  const laneY = new Map(
    lanes.map((l) => [l.attrs["data-lane"], Number(l.children[0]!.attrs.y)]),
  );
  const events = byClass(root, "event");
  assert.equal(events.length, trace.events.length);
  let lastX = -Infinity;
  events.forEach((g, i) => {
    const e = trace.events[i]!;
    assert.equal(g.attrs["data-id"], String(e.id));
    assert.equal(g.attrs["data-lane"], e.lane);
    const rect = g.children.find((c) => c.name === "rect")!;
    const x = Number(rect.attrs.x);
    const y = Number(rect.attrs.y);
    assert.ok(x > lastX, "boxes run left to right in run order");
    lastX = x;
    assert.ok(
      y > laneY.get(e.lane)! && y < laneY.get(e.lane)! + 56,
      "each box sits in its lane",
    );
    const title = g.children.find((c) => c.name === "title")!.text;
    assert.ok(
      title.startsWith(`#${e.id} ${e.label} | ${e.lane}, queue ${e.queue}`),
    );
  });
  // Text comes back unescaped exactly, and long labels are clipped.
  assert.equal(
    textOf(events[1]!),
    "#2 then <1> & 'a'",
  );
  assert.equal(
    textOf(events[3]!),
    "#4 setTimeout(4)\u2026",
  );
});

Deno.test("Trace.toSvg() draws an arrow per enqueuedBy and a tick per time step", () => {
  const trace = sampleTrace();
  const root = parseXml(trace.toSvg());
  const arrows = byClass(root, "arrow");
  assert.deepEqual(
    arrows.map((a) => [a.attrs["data-from"], a.attrs["data-to"]]),
    trace.events.filter((e) => e.enqueuedBy !== undefined).map((
      e,
    ) => [String(e.enqueuedBy), String(e.id)]),
  );
  for (const a of arrows) {
    assert.equal(a.attrs["marker-end"], "url(#arrowhead)");
  }
  const ticks = byClass(root, "tick");
  assert.deepEqual(ticks.map((t) => t.attrs["data-time"]), [
    "0",
    "4",
    "16.667",
    "20",
  ]);
  assert.deepEqual(
    ticks.map((t) => textOf(t)),
    ["0ms", "4ms", "16.667ms", "20ms"],
  );
});

Deno.test("Trace.toSvg() draws a recorded trace as recorded and handles an empty trace", () => {
  assert.equal(sampleTrace().toSvg(), readFixture("sample_trace.svg"));
  const empty = parseXml(new Trace().toSvg());
  assert.equal(byClass(empty, "lane").length, 4);
  assert.equal(byClass(empty, "event").length, 0);
  assert.equal(empty.children[0]!.text, "Event-loop trace: 0 events");
});

Deno.test("renderSvg() skips arrows from events outside the list and drops XML-illegal characters", () => {
  const events: TraceEvent[] = [
    {
      id: 7,
      time: 1,
      lane: "timer",
      queue: "timers",
      label: "bell\u0007",
      enqueuedBy: 3,
      rule: "",
      enqueuedAt: 0,
    },
  ];
  const root = parseXml(renderSvg(events));
  assert.equal(byClass(root, "arrow").length, 0);
  assert.equal(
    textOf(byClass(root, "event")[0]!),
    "#7 bell",
  );
});

Deno.test("the test's XML checker rejects malformed documents", () => {
  for (
    const bad of [
      "<a><b></a></b>",
      "<a>&</a>",
      "<a x=1/>",
      "<a/><b/>",
      "<a>x < y</a>",
      "<a",
      "<a x='1' x='2'/>",
      "<a>&nope;</a>",
    ]
  ) {
    assert.throws(() => parseXml(bad), SyntaxError, bad);
  }
  assert.equal(parseXml("<a x='&#60;'>t&amp;<b/></a>").attrs.x, "<");
});
