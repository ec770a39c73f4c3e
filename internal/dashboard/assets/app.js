// The dashboard page: polls /api/state every second and draws it; the
// Retry buttons and the why box call the daemon. Every text from the
// daemon goes in as textContent, never as HTML.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const svgNS = "http://www.w3.org/2000/svg";
  let last = null;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function bytes(n) {
    if (!n) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 2 : 1)) + " " + u[i];
  }
  const rate = (r) => (r > 0 ? bytes(r) + "/s" : "—");

  function duration(s) {
    if (!s || s <= 0) return "—";
    s = Math.round(s);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }

  function ago(iso) {
    if (!iso || iso.startsWith("0001")) return "never";
    const s = (Date.now() - Date.parse(iso)) / 1000;
    if (s < 5) return "just now";
    if (s < 60) return Math.round(s) + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    if (s < 86400) return Math.round(s / 3600) + " h ago";
    return new Date(iso).toLocaleString();
  }

  const verifiedText = {
    "md5+etag": "verified: MD5 and ETag",
    "md5": "verified: Content-MD5",
    "none": "not verified (upload.verify = \"none\")",
    "": "unknown (uploaded before verification)",
  };

  function cap(bw) {
    let t = bw.limit_bytes_per_s > 0 ? rate(bw.limit_bytes_per_s) : "unlimited";
    if (bw.scheduled) t += " (schedule)";
    if (bw.next_change) t += ", " + (bw.next_limit_bytes_per_s > 0 ? rate(bw.next_limit_bytes_per_s) : "unlimited") +
      " from " + new Date(bw.next_change).toLocaleTimeString();
    return t;
  }

  function tiles(dl, pairs) {
    dl.replaceChildren();
    for (const [k, v] of pairs) {
      const d = el("div");
      d.append(el("dt", "", k), el("dd", "", String(v)));
      dl.append(d);
    }
  }

  function activeRow(a) {
    const r = el("div", "row active-file");
    r.dataset.path = a.path;
    r.dataset.sent = String(a.bytes_sent);
    const pct = a.size > 0 ? Math.min(100, (100 * a.bytes_sent) / a.size) : 0;
    r.append(el("span", "path", a.path));
    r.append(el("span", "meta", pct.toFixed(0) + "%"));
    const bar = el("div", "bar");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", pct.toFixed(1));
    const fill = el("span");
    fill.style.width = pct.toFixed(2) + "%";
    bar.append(fill);
    r.append(bar);
    r.append(el("span", "meta", bytes(a.bytes_sent) + " of " + bytes(a.size) + " · " + rate(a.rate_bytes_per_s) +
      " · " + (a.eta_s > 0 ? duration(a.eta_s) + " left" : "time left unknown")));
    return r;
  }

  function failureRow(show, f) {
    const r = el("div", "row failure");
    r.dataset.path = f.path;
    r.append(el("span", "path", f.path));
    const b = el("button", "retry", "Retry");
    b.type = "button";
    b.dataset.path = f.path;
    b.addEventListener("click", () => retry(b, show, [f.path]));
    r.append(b);
    r.append(el("span", "reason", f.error));
    r.append(el("span", "meta", "failed " + ago(f.at) + (f.attempts ? " after " + f.attempts + (f.attempts === 1 ? " attempt" : " attempts") : "")));
    return r;
  }

  function recentRow(u) {
    const r = el("div", "row recent-file");
    r.append(el("span", "path", u.path));
    r.append(el("span", "meta", bytes(u.size)));
    r.append(el("span", "meta", ago(u.at) + " · " + (verifiedText[u.verified] || u.verified) + (u.md5 ? " · MD5 " + u.md5 : "")));
    return r;
  }

  function list(box, items, make, empty) {
    box.replaceChildren();
    if (!items || items.length === 0) { box.append(el("p", "empty", empty)); return; }
    for (const it of items) box.append(make(it));
  }

  function drawShow(node, s, single) {
    node.dataset.show = s.name;
    node.className = "card show health " + s.health.level;
    node.querySelector(".show-name").textContent = single ? "This machine" : s.name;
    const badge = node.querySelector(".badge");
    badge.className = "badge " + s.health.level;
    badge.textContent = s.state;
    node.querySelector(".show-title").textContent = s.health.title;
    node.querySelector(".todo").textContent = s.health.todo || "";
    node.querySelector(".detail").textContent = s.health.detail || "";
    const c = s.counts;
    tiles(node.querySelector(".counts"), [["queued", c.queued], ["uploading", c.active], ["settling", c.settling],
      ["done", c.done], ["failed", c.failed], ["gone", c.gone]]);
    const w = s.watcher;
    const facts = [["rate", rate(s.rate_bytes_per_s)], ["time left", duration(s.eta_s)],
      ["bandwidth cap", cap(s.bandwidth)], ["watcher", (w.mode || "—") + (w.writer_check ? " · " + w.writer_check : "")],
      ["last full scan", ago(w.last_scan)], ["uploaded", bytes(s.bytes_done)]];
    if (s.actions.pending + s.actions.failed > 0) facts.push(["after-upload actions", s.actions.pending + " pending, " + s.actions.failed + " failing"]);
    if (w.error) facts.push(["watcher problem", w.error]);
    tiles(node.querySelector(".facts"), facts);
    list(node.querySelector(".active"), s.active, activeRow, "Nothing uploading right now.");
    list(node.querySelector(".failures"), s.failures, (f) => failureRow(s.name, f), "No failures.");
    list(node.querySelector(".recent"), s.recent, recentRow, "Nothing uploaded yet.");
    const all = node.querySelector(".retry-all");
    all.hidden = !s.failures || s.failures.length < 2;
    all.onclick = () => retry(all, s.name, []);
  }

  function drawGraph(h, shows) {
    const box = $("graph");
    const W = 600, H = 160, L = 58, B = 18;
    const svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("preserveAspectRatio", "none");
    const vals = h.total.slice();
    const times = h.at.slice();
    const now = Date.now() / 1000;
    vals.push(last ? last.total.rate_bytes_per_s : 0);
    times.push(now);
    const max = Math.max(1024, ...vals) * 1.15;
    const x = (t) => L + ((W - L - 4) * (t - (now - 3600))) / 3600;
    const y = (v) => H - B - ((H - B - 6) * v) / max;
    const axis = document.createElementNS(svgNS, "path");
    axis.setAttribute("class", "axis");
    axis.setAttribute("d", "M" + L + " 4 V" + (H - B) + " H" + (W - 4));
    svg.append(axis);
    for (const [v, label] of [[max / 1.15, rate(max / 1.15)], [max / 2.3, rate(max / 2.3)]]) {
      const t = document.createElementNS(svgNS, "text");
      t.setAttribute("x", "2");
      t.setAttribute("y", String(y(v) + 4));
      t.textContent = label;
      svg.append(t);
    }
    for (const [t, label] of [[now - 3600, "1 h ago"], [now - 1800, "30 min"], [now, "now"]]) {
      const e = document.createElementNS(svgNS, "text");
      e.setAttribute("x", String(Math.min(x(t), W - 30)));
      e.setAttribute("y", String(H - 3));
      e.textContent = label;
      svg.append(e);
    }
    if (vals.length > 1) {
      let d = "";
      vals.forEach((v, i) => { d += (i ? " L" : "M") + x(times[i]).toFixed(1) + " " + y(v).toFixed(1); });
      const area = document.createElementNS(svgNS, "path");
      area.setAttribute("class", "area");
      area.setAttribute("d", d + " L" + x(times[times.length - 1]).toFixed(1) + " " + (H - B) + " L" + x(times[0]).toFixed(1) + " " + (H - B) + " Z");
      const line = document.createElementNS(svgNS, "path");
      line.setAttribute("class", "line");
      line.setAttribute("d", d);
      svg.append(area, line);
    }
    box.replaceChildren(svg);
    const peak = Math.max(0, ...h.total);
    $("graph-legend").textContent = "now " + rate(vals[vals.length - 1]) + " · peak " + rate(peak) +
      (shows.length > 1 ? " · all shows together" : "") + " · a point every " + h.step_s + " s";
  }

  function draw(v) {
    last = v;
    const t = v.total;
    const o = $("overall");
    o.className = "card health " + t.health.level;
    $("overall-title").textContent = t.health.title;
    $("overall-todo").textContent = t.health.todo || "";
    $("overall-detail").textContent = v.shows.length > 1 ? t.health.detail || "" : "";
    const box = $("shows");
    const tpl = $("show-template");
    while (box.children.length > v.shows.length) box.lastChild.remove();
    while (box.children.length < v.shows.length) box.append(tpl.content.firstElementChild.cloneNode(true));
    v.shows.forEach((s, i) => drawShow(box.children[i], s, v.shows.length === 1));
    drawGraph(v.history, v.shows);
    document.title = (t.counts.active > 0 ? "↑ " + t.counts.active + " · " : "") + (t.counts.failed > 0 ? "⚠ " + t.counts.failed + " · " : "") + "oDailies uploader";
  }

  async function poll() {
    const conn = $("conn");
    try {
      const r = await fetch("/api/state", { cache: "no-store", credentials: "same-origin" });
      if (!r.ok) throw new Error((await r.text()) || r.statusText);
      draw(await r.json());
      conn.textContent = "live · " + new Date().toLocaleTimeString();
      conn.className = "conn";
    } catch (e) {
      conn.textContent = "cannot reach the daemon: is it running? (" + e.message + ")";
      conn.className = "conn lost";
    }
    setTimeout(poll, 1000);
  }

  async function post(path, body) {
    const r = await fetch(path, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const ans = await r.json().catch(() => ({ error: r.statusText }));
    if (!r.ok) throw new Error(ans.error || r.statusText);
    return ans;
  }

  async function retry(button, show, paths) {
    button.disabled = true;
    const was = button.textContent;
    button.textContent = "Retrying…";
    try {
      const ans = await post("/api/retry", { show: show, paths: paths });
      button.textContent = ans.requeued + " queued again";
    } catch (e) {
      button.textContent = was;
      button.disabled = false;
      alert("Retry failed: " + e.message);
    }
  }

  // whyAnswer draws one answer of the "why" operation (internal/why):
  // "PATH: state", the reason, the fix, what could not be known, and a
  // folder's counts and files.
  function whyAnswer(box, a, nested) {
    const head = el("p", "verdict");
    head.append(el("span", "path", (a.watch ? "[" + a.watch + "] " : "") + a.path), document.createTextNode(": " + a.state));
    box.append(head);
    if (a.reason) box.append(el("p", "", a.reason));
    if (a.fix) box.append(el("p", "todo", "Fix: " + a.fix));
    for (const u of a.unknown || []) box.append(el("p", "muted", "Not known: " + u));
    if (a.folder) {
      const c = a.folder.counts || {};
      box.append(el("p", "muted", Object.keys(c).map((k) => c[k] + " " + k).join(", ") || "no files"));
      for (const f of a.folder.files || []) whyAnswer(box, f, true);
      if (a.folder.more > 0) box.append(el("p", "muted", "… and " + a.folder.more + " more not done"));
    }
    if (!nested) {
      const details = el("details");
      details.append(el("summary", "muted", "everything the daemon knows"), el("pre", "", JSON.stringify(a, null, 2)));
      box.append(details);
    }
  }

  $("why-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const path = $("why-path").value.trim();
    const box = $("why-answer");
    box.hidden = false;
    if (!path) { box.replaceChildren(el("p", "", "Type a path under a watched folder, e.g. _graded/A001C001.mov")); return; }
    box.replaceChildren(el("p", "muted", "Asking the daemon…"));
    try {
      const r = await fetch("/api/why?path=" + encodeURIComponent(path), { cache: "no-store", credentials: "same-origin" });
      const ans = await r.json();
      if (!r.ok) throw new Error(ans.error || r.statusText);
      box.replaceChildren();
      for (const a of ans.answers || []) whyAnswer(box, a, false);
    } catch (e) {
      box.replaceChildren(el("p", "reason", e.message));
    }
  });

  poll();
})();
