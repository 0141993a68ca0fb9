// The newsgraph report: documents with highlighted entities, the aggregated graph, search.
// Every piece of data reaches the page through textContent or setAttribute, never as markup.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Colours by position in the schema's entity type list (configs/labels.toml), so no label is named here.
  const PALETTE = ["#7aecec", "#f2a65a", "#feca74", "#aa9cfc", "#9ad29c", "#f7a1c4", "#bfd7ff", "#d9c27e"];
  const LAYOUT = { edgeLength: 90, gravity: 0.8, padding: 8 };

  const types = DATA.entity_types.slice();
  for (const node of DATA.nodes) if (!types.includes(node.type)) types.push(node.type);
  const colourOf = new Map(types.map((t, i) => [t, PALETTE[i % PALETTE.length]]));
  const relationNames = Object.keys(DATA.relations);
  for (const edge of DATA.edges) if (!relationNames.includes(edge.relation)) relationNames.push(edge.relation);

  const nodeById = new Map(DATA.nodes.map((n) => [n.id, n]));
  const docById = new Map(DATA.documents.map((d) => [d.id, d]));
  const edgesOf = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const edge of DATA.edges) {
    if (edgesOf.has(edge.head)) edgesOf.get(edge.head).push(edge);
    if (edgesOf.has(edge.tail) && edge.tail !== edge.head) edgesOf.get(edge.tail).push(edge);
  }

  // Search keys: case and Latin accents ignored.
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  const nodeKey = new Map(
    DATA.nodes.map((n) => [n.id, fold([n.name, n.id].concat(n.aliases.map((a) => a.text)).join("\n"))])
  );
  const docKey = new Map(
    DATA.documents.map((d) => [
      d.id,
      fold([d.title || "", d.id].concat(d.mentions.map((m) => m.text)).join("\n")),
    ])
  );

  const state = {
    view: "documents",
    query: "",
    types: new Set(types),
    relations: new Set(relationNames),
    maxNodes: 300,
    connectedOnly: DATA.edges.length > 0,
    doc: DATA.documents.length ? DATA.documents[0].id : null,
    selected: null,
    positions: new Map(),
    transform: { x: 0, y: 0, k: 1 },
    graphStale: true,
  };

  // ---------- DOM helpers ----------

  function el(tag, props, children) {
    const node = document.createElement(tag);
    applyProps(node, props);
    for (const child of children || []) node.append(child);
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return node;
  }

  function applyProps(node, props) {
    if (!props) return;
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name === "on") for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      else node.setAttribute(name, String(value));
    }
  }

  function $(id) {
    return document.getElementById(id);
  }

  function chip(text, type) {
    const node = el("span", { className: "chip", title: type }, [
      el("span", { text: text }),
      el("span", { className: "chip-label", text: type }),
    ]);
    node.style.background = colourOf.get(type) || "#ddd";
    return node;
  }

  function score(value) {
    return typeof value === "number" ? value.toFixed(2) : "";
  }

  function plural(count, word, words) {
    return count + " " + (count === 1 ? word : words || word + "s");
  }

  // ---------- Views and search ----------

  function showView(view) {
    if (!["documents", "graph", "entities"].includes(view)) view = "documents";
    state.view = view;
    for (const button of document.querySelectorAll(".tabs button")) {
      button.setAttribute("aria-selected", String(button.dataset.view === view));
    }
    for (const name of ["documents", "graph", "entities"]) $("view-" + name).hidden = name !== view;
    document.body.dataset.view = view;
    if (view === "graph" && state.graphStale) drawGraph();
  }

  function nodeMatches(node) {
    return !state.query || nodeKey.get(node.id).includes(state.query);
  }

  function docMatches(doc) {
    return !state.query || docKey.get(doc.id).includes(state.query);
  }

  let searchTimer = 0;
  function onSearch() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.query = fold($("search").value.trim());
      refresh();
    }, 120);
  }

  function refresh() {
    renderDocList();
    renderEntities();
    state.graphStale = true;
    if (state.view === "graph") drawGraph();
  }

  // ---------- Documents ----------

  function renderDocList() {
    const list = $("doc-list");
    list.replaceChildren();
    let shown = 0;
    for (const doc of DATA.documents) {
      if (!docMatches(doc)) continue;
      shown++;
      const sub = [doc.id, doc.date, plural(doc.mentions.length, "mention"), plural(doc.triples.length, "triple")];
      const button = el(
        "button",
        { type: "button", dataset: { doc: doc.id }, on: { click: () => openDocument(doc.id) } },
        [
          el("span", { className: "doc-name", text: doc.title || doc.id }),
          el("span", { className: "doc-sub", text: sub.filter(Boolean).join(" · ") }),
        ]
      );
      if (doc.id === state.doc) button.setAttribute("aria-current", "true");
      list.append(el("li", null, [button]));
    }
    list.dataset.shown = String(shown);
    const total = DATA.documents.length;
    $("doc-count").textContent = state.query
      ? shown + " of " + plural(total, "document")
      : plural(total, "document");
  }

  function openDocument(docId, focusTriple) {
    state.doc = docId;
    for (const button of $("doc-list").querySelectorAll("button")) {
      if (button.dataset.doc === docId) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    renderDocument();
    if (state.view !== "documents") showView("documents");
    if (focusTriple) focusTripleRow(focusTriple);
  }

  function renderDocument() {
    const doc = docById.get(state.doc);
    const textBox = $("doc-text");
    const body = $("doc-triples").querySelector("tbody");
    textBox.replaceChildren();
    body.replaceChildren();
    $("doc-legend").replaceChildren();
    if (!doc) {
      $("doc-title").textContent = DATA.documents.length ? "" : "No documents";
      $("doc-meta").textContent = "";
      $("doc-no-triples").hidden = true;
      $("doc-triples").hidden = true;
      return;
    }
    $("doc").dataset.doc = doc.id;
    $("doc-title").textContent = doc.title || doc.id;
    $("doc-meta").textContent = [doc.id, doc.source, doc.date, doc.url].filter(Boolean).join(" · ");
    const counts = new Map();
    for (const m of doc.mentions) counts.set(m.label, (counts.get(m.label) || 0) + 1);
    for (const type of types) if (counts.has(type)) $("doc-legend").append(chip(String(counts.get(type)), type));
    renderText(textBox, doc.text, doc.mentions);
    $("doc-no-triples").hidden = doc.triples.length > 0;
    $("doc-triples").hidden = doc.triples.length === 0;
    for (const t of doc.triples) {
      const evidence = el("td", { className: "evidence-text" }, [
        el("span", { className: "muted", text: "sentence " + t.sentence + ": " }),
        el("span", { text: t.evidence }),
      ]);
      const row = el(
        "tr",
        { dataset: { triple: t.id }, title: t.rule ? "rule: " + t.rule : null, on: { click: () => focusTripleRow(t.id) } },
        [
          el("td", null, [chip(t.head.text, t.head.label)]),
          el("td", { className: "rel", text: t.relation }),
          el("td", null, [chip(t.tail.text, t.tail.label)]),
          el("td", { text: score(t.score) }),
          evidence,
        ]
      );
      body.append(row);
    }
  }

  // Offsets count Unicode code points (Python's str), so the text is sliced as an array of code points.
  function renderText(container, text, mentions) {
    const chars = Array.from(text);
    const spans = mentions
      .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.end) && m.start >= 0 && m.start < m.end && m.end <= chars.length)
      .slice()
      .sort((a, b) => a.start - b.start || b.end - a.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const root = { start: 0, end: chars.length, children: [] };
    const stack = [root];
    let crossing = 0;
    for (const m of spans) {
      while (stack.length > 1 && m.start >= stack[stack.length - 1].end) stack.pop();
      const parent = stack[stack.length - 1];
      if (m.end > parent.end) {
        crossing++; // crosses the boundary of an enclosing mention: left unhighlighted, still listed in triples
        continue;
      }
      const node = { mention: m, start: m.start, end: m.end, children: [] };
      parent.children.push(node);
      stack.push(node);
    }
    container.dataset.unhighlighted = String(crossing);
    emit(root, container);

    function emit(node, into) {
      let pos = node.start;
      for (const child of node.children) {
        if (child.start > pos) into.append(chars.slice(pos, child.start).join(""));
        const m = child.mention;
        const inner = el("span", { className: "ent-text" });
        const mark = el(
          "mark",
          {
            className: "ent",
            title: m.label + (m.node ? " · " + (nodeById.has(m.node) ? nodeById.get(m.node).name : m.node) : ""),
            dataset: { label: m.label, start: String(m.start), end: String(m.end), node: m.node || "" },
            on: {
              click: (event) => {
                event.stopPropagation();
                if (m.node && nodeById.has(m.node)) selectNode(m.node, true);
              },
            },
          },
          [inner, el("span", { className: "ent-label", text: m.label })]
        );
        mark.style.background = colourOf.get(m.label) || "#ddd";
        emit(child, inner);
        into.append(mark);
        pos = child.end;
      }
      if (node.end > pos) into.append(chars.slice(pos, node.end).join(""));
    }
  }

  function focusTripleRow(tripleId) {
    const doc = docById.get(state.doc);
    const triple = doc && doc.triples.find((t) => t.id === tripleId);
    for (const row of $("doc-triples").querySelectorAll("tbody tr")) {
      row.classList.toggle("focus", row.dataset.triple === tripleId);
    }
    for (const mark of $("doc-text").querySelectorAll("mark.focus")) mark.classList.remove("focus");
    if (!triple) return;
    let first = null;
    for (const mark of $("doc-text").querySelectorAll("mark.ent")) {
      const start = Number(mark.dataset.start);
      const end = Number(mark.dataset.end);
      for (const m of [triple.head, triple.tail]) {
        if (m.start === start && m.end === end && m.label === mark.dataset.label) {
          mark.classList.add("focus");
          first = first || mark;
        }
      }
    }
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
  }

  // ---------- Entities ----------

  function renderEntities() {
    const body = $("entity-table").querySelector("tbody");
    body.replaceChildren();
    const nodes = DATA.nodes
      .filter((n) => state.types.has(n.type) && nodeMatches(n))
      .sort((a, b) => b.mentions - a.mentions || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of nodes) {
      const aliases = n.aliases.map((a) => a.text + " ×" + a.count).join(", ");
      body.append(
        el("tr", { dataset: { node: n.id }, on: { click: () => selectNode(n.id, true) } }, [
          el("td", null, [chip(n.name, n.type)]),
          el("td", { text: n.type }),
          el("td", { text: String(n.mentions) }),
          el("td", { text: String(n.documents) }),
          el("td", { text: String(edgesOf.get(n.id).length) }),
          el("td", { className: "evidence-text", text: aliases }),
        ])
      );
    }
    $("entity-table").dataset.shown = String(nodes.length);
    $("entity-count").textContent =
      (nodes.length < DATA.nodes.length ? nodes.length + " of " : "") + plural(DATA.nodes.length, "entity", "entities");
  }

  // ---------- Graph: which nodes and edges ----------

  function visibleGraph() {
    let nodes = DATA.nodes.filter((n) => state.types.has(n.type));
    let ids = new Set(nodes.map((n) => n.id));
    let edges = DATA.edges.filter((e) => state.relations.has(e.relation) && ids.has(e.head) && ids.has(e.tail));
    const matched = new Set();
    if (state.query) {
      // A search keeps the matching nodes and their neighbours, so each match is seen in context.
      for (const n of nodes) if (nodeMatches(n)) matched.add(n.id);
      edges = edges.filter((e) => matched.has(e.head) || matched.has(e.tail));
      const keep = new Set(matched);
      for (const e of edges) {
        keep.add(e.head);
        keep.add(e.tail);
      }
      nodes = nodes.filter((n) => keep.has(n.id));
    }
    if (state.connectedOnly) {
      // Nodes without a shown edge crowd out the structure; they stay in the Entities view, and a search finds them.
      const linked = new Set(matched);
      for (const e of edges) {
        linked.add(e.head);
        linked.add(e.tail);
      }
      nodes = nodes.filter((n) => linked.has(n.id));
    }
    const limit = Math.max(1, state.maxNodes | 0);
    if (nodes.length > limit) {
      nodes = nodes
        .slice()
        .sort(
          (a, b) =>
            Number(matched.has(b.id)) - Number(matched.has(a.id)) ||
            b.mentions - a.mentions ||
            (a.id < b.id ? -1 : 1)
        )
        .slice(0, limit);
      ids = new Set(nodes.map((n) => n.id));
      edges = edges.filter((e) => ids.has(e.head) && ids.has(e.tail));
    }
    return { nodes: nodes, edges: edges, matched: matched };
  }

  function radius(node) {
    return Math.min(34, 7 + 3 * Math.sqrt(node.mentions || 1));
  }

  // ---------- Graph: force-directed layout ----------
  // Fruchterman–Reingold: every pair repels with k²/d, every edge pulls with d²/k, a weak pull to the centre
  // keeps separate components together; the step size cools linearly. Nodes keep their earlier positions,
  // so a change of filters moves the picture little. A last pass pushes overlapping circles apart.

  function layout(nodes, edges, previous) {
    const n = nodes.length;
    const k = LAYOUT.edgeLength;
    const index = new Map(nodes.map((node, i) => [node.id, i]));
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const r = Float64Array.from(nodes, radius);
    let fresh = 0;
    nodes.forEach((node, i) => {
      const p = previous.get(node.id);
      if (p) {
        x[i] = p.x;
        y[i] = p.y;
      } else {
        // A sunflower spiral: deterministic, evenly spread starting points.
        fresh++;
        const distance = k * 0.7 * Math.sqrt(i + 0.5);
        const angle = i * 2.399963229728653;
        x[i] = distance * Math.cos(angle);
        y[i] = distance * Math.sin(angle);
      }
    });
    const links = edges
      .map((e) => [index.get(e.head), index.get(e.tail)])
      .filter(([a, b]) => a !== undefined && b !== undefined && a !== b);
    const iterations = Math.max(40, Math.min(300, Math.round(6e6 / Math.max(1, n * n))));
    let temperature = fresh > n / 4 ? k * 2 : k * 0.5;
    const cooling = temperature / (iterations + 1);
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    for (let it = 0; it < iterations; it++) {
      dx.fill(0);
      dy.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let ex = x[i] - x[j];
          let ey = y[i] - y[j];
          let d2 = ex * ex + ey * ey;
          if (d2 < 1e-4) {
            ex = ((i * 7919 + j * 104729) % 13) - 6 || 1; // coincident points: a fixed, pair-specific nudge
            ey = ((i * 104729 + j * 7919) % 11) - 5 || 1;
            d2 = ex * ex + ey * ey;
          }
          const f = (k * k) / d2;
          dx[i] += ex * f;
          dy[i] += ey * f;
          dx[j] -= ex * f;
          dy[j] -= ey * f;
        }
      }
      for (const [a, b] of links) {
        const ex = x[a] - x[b];
        const ey = y[a] - y[b];
        const f = Math.sqrt(ex * ex + ey * ey) / k;
        dx[a] -= ex * f;
        dy[a] -= ey * f;
        dx[b] += ex * f;
        dy[b] += ey * f;
      }
      for (let i = 0; i < n; i++) {
        dx[i] -= x[i] * LAYOUT.gravity;
        dy[i] -= y[i] * LAYOUT.gravity;
        const length = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (length > 0) {
          const step = Math.min(length, temperature) / length;
          x[i] += dx[i] * step;
          y[i] += dy[i] * step;
        }
      }
      temperature = Math.max(temperature - cooling, 1);
    }
    for (let pass = 0; pass < 60; pass++) {
      let moved = false;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const ex = x[j] - x[i];
          const ey = y[j] - y[i];
          const d = Math.sqrt(ex * ex + ey * ey) || 0.01;
          const wanted = r[i] + r[j] + LAYOUT.padding;
          if (d < wanted) {
            const push = (wanted - d) / 2 / d;
            x[i] -= ex * push;
            y[i] -= ey * push;
            x[j] += ex * push;
            y[j] += ey * push;
            moved = true;
          }
        }
      }
      if (!moved) break;
    }
    const positions = new Map();
    nodes.forEach((node, i) => positions.set(node.id, { x: x[i], y: y[i] }));
    return positions;
  }

  // ---------- Graph: drawing ----------

  const graph = { nodes: [], edges: [], nodeEls: new Map(), edgeEls: [] };

  function drawGraph() {
    state.graphStale = false;
    const svg = $("graph");
    const view = visibleGraph();
    const positions = layout(view.nodes, view.edges, state.positions);
    for (const [id, p] of positions) state.positions.set(id, p);
    svg.replaceChildren();
    const defs = svgEl("defs");
    const marker = svgEl("marker", {
      id: "arrow",
      viewBox: "0 0 10 10",
      refX: 10,
      refY: 5,
      markerWidth: 9,
      markerHeight: 9,
      markerUnits: "userSpaceOnUse",
      orient: "auto-start-reverse",
    });
    marker.append(svgEl("path", { d: "M0,0 L10,5 L0,10 z" }));
    defs.append(marker);
    const viewport = svgEl("g", { id: "viewport" });
    const edgeLayer = svgEl("g", { class: "edges" });
    const labelLayer = svgEl("g", { class: "edge-labels" });
    const nodeLayer = svgEl("g", { class: "nodes" });
    viewport.append(edgeLayer, labelLayer, nodeLayer);
    svg.append(defs, viewport);

    // Edges between the same two nodes bend apart so that each stays visible.
    const pairs = new Map();
    for (const e of view.edges) {
      const key = e.head < e.tail ? e.head + "\u0000" + e.tail : e.tail + "\u0000" + e.head;
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(e);
    }
    graph.edgeEls = [];
    for (const group of pairs.values()) {
      group.forEach((e, i) => {
        const path = svgEl("path", { class: "edge", "data-relation": e.relation, "data-edge": e.id });
        if (!e.symmetric) path.setAttribute("marker-end", "url(#arrow)");
        const tip = svgEl("title");
        tip.textContent = nodeById.get(e.head).name + " " + e.relation + " " + nodeById.get(e.tail).name;
        path.append(tip);
        const label = svgEl("text", { class: "edge-label" });
        label.textContent = e.relation;
        edgeLayer.append(path);
        labelLayer.append(label);
        graph.edgeEls.push({ edge: e, path: path, label: label, bend: (i - (group.length - 1) / 2) * 28 });
      });
    }
    graph.nodeEls = new Map();
    for (const n of view.nodes) {
      const r = radius(n);
      const g = svgEl("g", { class: "node", tabindex: 0, role: "button", "data-id": n.id, "data-type": n.type });
      if (view.matched.has(n.id)) g.classList.add("match");
      if (n.id === state.selected) g.classList.add("selected");
      const circle = svgEl("circle", { r: r, fill: colourOf.get(n.type) || "#ccc" });
      const label = svgEl("text", { y: r + 12 });
      label.textContent = n.name.length > 28 ? n.name.slice(0, 27) + "…" : n.name;
      const tip = svgEl("title");
      tip.textContent = n.name + " (" + n.type + ", " + plural(n.mentions, "mention") + ")";
      g.append(circle, label, tip);
      g.addEventListener("click", (event) => {
        if (dragMoved) return;
        event.stopPropagation();
        selectNode(n.id, false);
      });
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          selectNode(n.id, false);
        }
      });
      g.addEventListener("pointerdown", (event) => startDrag(event, n.id));
      nodeLayer.append(g);
      graph.nodeEls.set(n.id, g);
    }
    svg.dataset.nodes = String(view.nodes.length);
    svg.dataset.edges = String(view.edges.length);
    $("graph-empty").hidden = view.nodes.length > 0;
    $("graph-count").textContent =
      plural(view.nodes.length, "node") + " and " + plural(view.edges.length, "edge") + " shown of " +
      DATA.nodes.length + " and " + DATA.edges.length;
    updatePositions();
    fitView();
    highlightSelection();
  }

  function updatePositions() {
    for (const [id, g] of graph.nodeEls) {
      const p = state.positions.get(id);
      g.setAttribute("transform", "translate(" + p.x.toFixed(1) + "," + p.y.toFixed(1) + ")");
    }
    for (const item of graph.edgeEls) {
      const a = state.positions.get(item.edge.head);
      const b = state.positions.get(item.edge.tail);
      const ra = radius(nodeById.get(item.edge.head));
      const rb = radius(nodeById.get(item.edge.tail)) + (item.edge.symmetric ? 0 : 2);
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      // Control point off the straight line, along its normal; 0 for a single edge.
      const cx = mx - ((b.y - a.y) / length) * item.bend;
      const cy = my + ((b.x - a.x) / length) * item.bend;
      const sa = Math.hypot(cx - a.x, cy - a.y) || 1;
      const sb = Math.hypot(cx - b.x, cy - b.y) || 1;
      const x1 = a.x + ((cx - a.x) / sa) * ra;
      const y1 = a.y + ((cy - a.y) / sa) * ra;
      const x2 = b.x + ((cx - b.x) / sb) * rb;
      const y2 = b.y + ((cy - b.y) / sb) * rb;
      item.path.setAttribute(
        "d",
        "M" + x1.toFixed(1) + "," + y1.toFixed(1) + " Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " +
          x2.toFixed(1) + "," + y2.toFixed(1)
      );
      item.label.setAttribute("x", (0.25 * a.x + 0.5 * cx + 0.25 * b.x).toFixed(1));
      item.label.setAttribute("y", (0.25 * a.y + 0.5 * cy + 0.25 * b.y - 3).toFixed(1));
    }
  }

  function applyTransform() {
    const t = state.transform;
    const viewport = $("viewport");
    if (viewport) viewport.setAttribute("transform", "translate(" + t.x + "," + t.y + ") scale(" + t.k + ")");
  }

  function fitView() {
    const svg = $("graph");
    const width = svg.clientWidth;
    const height = svg.clientHeight;
    if (!width || !height || graph.nodeEls.size === 0) return;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const id of graph.nodeEls.keys()) {
      const p = state.positions.get(id);
      const r = radius(nodeById.get(id));
      x0 = Math.min(x0, p.x - r - 40);
      x1 = Math.max(x1, p.x + r + 40);
      y0 = Math.min(y0, p.y - r - 10);
      y1 = Math.max(y1, p.y + r + 22);
    }
    const k = Math.min(2, width / (x1 - x0), height / (y1 - y0));
    state.transform = { k: k, x: width / 2 - (k * (x0 + x1)) / 2, y: height / 2 - (k * (y0 + y1)) / 2 };
    applyTransform();
  }

  // ---------- Graph: pan, zoom, drag ----------

  let drag = null;
  let dragMoved = false;

  function svgPoint(event) {
    const box = $("graph").getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function startDrag(event, nodeId) {
    if (event.button !== 0) return;
    event.stopPropagation();
    const p = svgPoint(event);
    drag = { kind: "node", id: nodeId, from: p, moved: false };
    dragMoved = false;
  }

  function onPointerDown(event) {
    if (event.button !== 0) return;
    const p = svgPoint(event);
    drag = { kind: "pan", from: p, start: Object.assign({}, state.transform), moved: false };
    dragMoved = false;
    $("graph").classList.add("panning");
  }

  function onPointerMove(event) {
    if (!drag) return;
    const p = svgPoint(event);
    const ddx = p.x - drag.from.x;
    const ddy = p.y - drag.from.y;
    if (!drag.moved && Math.hypot(ddx, ddy) < 3) return;
    drag.moved = true;
    dragMoved = true;
    if (drag.kind === "pan") {
      state.transform = { k: drag.start.k, x: drag.start.x + ddx, y: drag.start.y + ddy };
      applyTransform();
    } else {
      const t = state.transform;
      state.positions.set(drag.id, { x: (p.x - t.x) / t.k, y: (p.y - t.y) / t.k });
      updatePositions();
    }
  }

  function onPointerUp() {
    const wasDrag = drag && drag.moved;
    drag = null;
    $("graph").classList.remove("panning");
    // The click that follows a drag is not a selection; clear the flag after that click has been seen.
    if (wasDrag) setTimeout(() => (dragMoved = false), 0);
    else dragMoved = false;
  }

  function onWheel(event) {
    event.preventDefault();
    const p = svgPoint(event);
    const t = state.transform;
    const k = Math.max(0.05, Math.min(8, t.k * Math.exp(-event.deltaY * 0.0015)));
    state.transform = { k: k, x: p.x - ((p.x - t.x) * k) / t.k, y: p.y - ((p.y - t.y) * k) / t.k };
    applyTransform();
  }

  // ---------- Graph: selection and the side panel ----------

  function selectNode(nodeId, switchView) {
    state.selected = nodeId;
    if (switchView && state.view !== "graph") showView("graph");
    highlightSelection();
    renderPanel();
    keepInView(nodeId);
  }

  // The panel narrows the graph; a selected node that ends up outside the picture is brought to its centre.
  function keepInView(nodeId) {
    const p = state.positions.get(nodeId);
    const svg = $("graph");
    if (!p || !graph.nodeEls.has(nodeId) || state.view !== "graph" || !svg.clientWidth) return;
    const t = state.transform;
    const sx = t.x + t.k * p.x;
    const sy = t.y + t.k * p.y;
    const margin = 30;
    if (sx < margin || sy < margin || sx > svg.clientWidth - margin || sy > svg.clientHeight - margin) {
      state.transform = { k: t.k, x: svg.clientWidth / 2 - t.k * p.x, y: svg.clientHeight / 2 - t.k * p.y };
      applyTransform();
    }
  }

  function highlightSelection() {
    for (const [id, g] of graph.nodeEls) g.classList.toggle("selected", id === state.selected);
    for (const item of graph.edgeEls) {
      item.path.classList.toggle("hit", item.edge.head === state.selected || item.edge.tail === state.selected);
    }
  }

  function nodeButton(nodeId) {
    const node = nodeById.get(nodeId);
    return el(
      "button",
      { type: "button", className: "link", dataset: { node: nodeId }, on: { click: () => selectNode(nodeId, true) } },
      [node ? chip(node.name, node.type) : document.createTextNode(nodeId)]
    );
  }

  function renderPanel() {
    const panel = $("panel");
    const body = $("panel-body");
    const node = nodeById.get(state.selected);
    body.replaceChildren();
    if (!node) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    panel.dataset.node = node.id;
    const facts = [node.type, plural(node.mentions, "mention"), plural(node.documents, "document")];
    if (node.iso3166) facts.push("ISO " + node.iso3166 + (node.iso3166_alpha3 ? " / " + node.iso3166_alpha3 : ""));
    if (node.scope) facts.push("country " + node.scope);
    body.append(
      el("h2", { id: "panel-title", text: node.name }),
      el("p", { className: "muted", text: facts.join(" · ") }),
      el("p", { className: "muted rel", text: node.id }),
      el("h3", { text: "Names" }),
      el(
        "ul",
        { className: "aliases" },
        node.aliases.map((a) => el("li", { text: a.text + " ×" + a.count }))
      )
    );
    const edges = edgesOf.get(node.id).filter((e) => state.relations.has(e.relation));
    body.append(el("h3", { text: plural(edges.length, "edge") }));
    const list = el("div", { id: "panel-edges" });
    for (const e of edges) {
      const outgoing = e.head === node.id;
      const other = outgoing ? e.tail : e.head;
      const arrow = e.symmetric ? "—" : outgoing ? "→" : "←";
      const stats = [
        plural(e.documents, "document"),
        plural(e.mentions, "mention"),
        "max " + score(e.max_confidence),
        "mean " + score(e.mean_confidence),
      ];
      if (e.first_date) stats.push(e.first_date === e.last_date ? e.first_date : e.first_date + " – " + e.last_date);
      const support = el(
        "ol",
        { className: "support" },
        e.support.map((s) =>
          el("li", { dataset: { support: s.id } }, [
            el(
              "button",
              { type: "button", className: "link doc-link", on: { click: () => openDocument(s.doc_id, s.id) } },
              [document.createTextNode(s.doc_id)]
            ),
            el("span", { className: "muted", text: " · sentence " + s.sentence + " · score " + score(s.score) }),
            el("blockquote", { text: s.evidence }),
          ])
        )
      );
      list.append(
        el("div", { className: "edge-item", dataset: { edge: e.id } }, [
          el("div", { className: "edge-head" }, [
            el("span", { text: arrow }),
            el("span", { className: "rel", text: e.relation }),
            el("span", { text: arrow }),
            nodeButton(other),
          ]),
          el("div", { className: "edge-stats", text: stats.join(" · ") }),
          support,
        ])
      );
    }
    body.append(list);
  }

  // ---------- Filters ----------

  function renderFilters() {
    const typeCounts = new Map();
    for (const n of DATA.nodes) typeCounts.set(n.type, (typeCounts.get(n.type) || 0) + 1);
    const relationCounts = new Map();
    for (const e of DATA.edges) relationCounts.set(e.relation, (relationCounts.get(e.relation) || 0) + 1);
    const typeBox = $("type-filters");
    for (const type of types) {
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = colourOf.get(type);
      typeBox.append(filterBox("type", type, state.types, typeCounts.get(type) || 0, swatch));
    }
    const relationBox = $("relation-filters");
    for (const relation of relationNames) {
      if (!relationCounts.has(relation)) continue;
      relationBox.append(filterBox("relation", relation, state.relations, relationCounts.get(relation), null));
    }
    if (!relationCounts.size) relationBox.append(el("p", { className: "muted", text: "No edges." }));
  }

  function filterBox(kind, value, set, count, swatch) {
    const input = el("input", { type: "checkbox", dataset: { filter: kind, value: value } });
    input.checked = set.has(value);
    input.addEventListener("change", () => {
      if (input.checked) set.add(value);
      else set.delete(value);
      refresh();
      if (state.selected) renderPanel();
    });
    const parts = [input];
    if (swatch) parts.push(swatch);
    parts.push(el("span", { className: kind === "relation" ? "rel" : "", text: value }));
    parts.push(el("span", { className: "count", text: String(count) }));
    return el("label", null, parts);
  }

  // ---------- Start ----------

  function start() {
    const stats = DATA.stats || {};
    document.title = DATA.title || document.title;
    $("report-title").textContent = DATA.title || "newsgraph report";
    const parts = [
      plural(stats.documents || 0, "document"),
      plural(stats.nodes || 0, "node"),
      plural(stats.edges || 0, "edge"),
      plural(stats.triples || 0, "triple"),
    ];
    if (stats.documents_not_ok) parts.push(stats.documents_not_ok + " not ok (not shown)");
    $("stats").textContent = parts.join(" · ");
    renderFilters();
    renderDocList();
    renderDocument();
    renderEntities();
    $("search").addEventListener("input", onSearch);
    for (const button of document.querySelectorAll(".tabs button")) {
      button.addEventListener("click", () => {
        try {
          history.replaceState(null, "", "#" + button.dataset.view);
        } catch (error) {
          // some browsers refuse history changes on file: pages; the view still changes
        }
        showView(button.dataset.view);
      });
    }
    $("max-nodes").addEventListener("change", () => {
      state.maxNodes = Math.max(1, parseInt($("max-nodes").value, 10) || 300);
      refresh();
    });
    $("connected-only").checked = state.connectedOnly;
    $("connected-only").addEventListener("change", () => {
      state.connectedOnly = $("connected-only").checked;
      refresh();
    });
    $("relayout").addEventListener("click", () => {
      state.positions = new Map();
      drawGraph();
    });
    $("fit").addEventListener("click", fitView);
    $("panel-close").addEventListener("click", () => {
      state.selected = null;
      highlightSelection();
      renderPanel();
    });
    const svg = $("graph");
    svg.addEventListener("pointerdown", onPointerDown);
    window.addEventListener("pointermove", onPointerMove);
    window.addEventListener("pointerup", onPointerUp);
    svg.addEventListener("wheel", onWheel, { passive: false });
    window.addEventListener("resize", () => {
      if (state.view === "graph") fitView();
    });
    window.addEventListener("hashchange", () => showView(location.hash.slice(1)));
    showView(location.hash.slice(1) || "documents");
    document.body.dataset.ready = "true";
  }

  start();
})();
