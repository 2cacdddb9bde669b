// Snapshot of a page for lam's browser plugin (see page_model.py); called with maxItems.
(maxItems) => {
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const cssEsc = (s) => (window.CSS && CSS.escape) ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
  const visible = (el) => {
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0 || el.getClientRects().length > 0;
  };
  const byIds = (ids) => norm((ids || "").split(/\s+/).map(
    (i) => { const e = document.getElementById(i); return e ? e.innerText || e.textContent : ""; }
  ).join(" "));
  const labelOf = (el) => {
    if (el.getAttribute("aria-label")) return norm(el.getAttribute("aria-label"));
    if (el.getAttribute("aria-labelledby")) return byIds(el.getAttribute("aria-labelledby"));
    if (el.labels && el.labels.length) return norm(el.labels[0].innerText || el.labels[0].textContent);
    const own = norm(el.getAttribute("placeholder") || el.getAttribute("title") || "");
    if (own) return own;
    // "Date: <input>": the words just before the field in its own parent, when short
    let prev = el.previousSibling;
    while (prev && prev.nodeType === 3 && !prev.textContent.trim()) prev = prev.previousSibling;
    if (prev && (prev.nodeType === 3 || (prev.nodeType === 1 && !prev.matches("input, select, textarea, button")))) {
      const words = norm(prev.textContent).replace(/[:*]\s*$/, "").trim();
      if (words && words.length <= 40) return words;
    }
    return "";
  };
  const cssFor = (el, base) => {
    if (el.id) return `#${cssEsc(el.id)}`;
    if (el.getAttribute("name")) return `${el.tagName.toLowerCase()}[name="${cssEsc(el.getAttribute("name"))}"]`;
    return base;
  };
  const pathOf = (el) => {  // a selector unique to el: ids where there are, nth-of-type else
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
      if (e.id) { parts.unshift(`#${cssEsc(e.id)}`); break; }
      let n = 1;
      for (let s = e.previousElementSibling; s; s = s.previousElementSibling) if (s.tagName === e.tagName) n++;
      parts.unshift(`${e.tagName.toLowerCase()}:nth-of-type(${n})`);
    }
    return parts.join(" > ");
  };
  const groupOf = (el) => {  // the shape of an element's place: its parents' tags and classes
    const parts = [];
    for (let e = el, i = 0; e && e !== document.body && i < 3; e = e.parentElement, i++)
      parts.unshift(e.tagName.toLowerCase() + (e.classList.length ? "." + Array.from(e.classList).sort().join(".") : ""));
    return parts.join(">");
  };
  const closeLike = (el) => /(^|[-_ ])(close|dismiss)([-_ ]|$)/i.test(
    [el.className, el.getAttribute("title"), el.getAttribute("aria-label")].join(" "))
    || /^[x×✕✖]$/i.test(norm(el.innerText || el.value));
  const dialogOf = (el) => {
    const d = el.closest("[role=dialog], [role=alertdialog], dialog");
    if (!d) return "";
    const t = d.querySelector(".ui-dialog-title, [id$=title], h1, h2, h3");
    return norm(d.getAttribute("aria-label") || (t ? t.innerText : "")) || "dialog";
  };
  // The words of the repeated item an element sits in (a post, a row, a card: the nearest
  // ancestor with a sibling of its own shape), so "the Reply button on the post by @ann" can be
  // told apart from the other Reply buttons.
  const shapeOf = (e) => e.tagName + "." + Array.from(e.classList).sort().join(".");
  const withinOf = (el) => {
    const own = norm(el.innerText || el.textContent);
    for (let e = el.parentElement, i = 0; e && e !== document.body && i < 8; e = e.parentElement, i++) {
      const p = e.parentElement;
      if (!p) break;
      const shape = shapeOf(e);
      if (!Array.from(p.children).some((s) => s !== e && shapeOf(s) === shape)) continue;
      const text = norm(e.innerText || e.textContent);
      if (text && text !== own) return text.slice(0, 300);
    }
    return "";
  };
  const indexIn = (el, css) => Array.prototype.indexOf.call(document.querySelectorAll(css), el);
  const out = { url: location.href, title: document.title, links: [], buttons: [], fields: [],
                tables: [], headings: [], tabs: [], dialogs: [], text: "",
                paragraphs: [] };
  // A "tab" that holds a control of its own is a container, not a tab: its controls count.
  const tabEls = Array.from(document.querySelectorAll("[role=tab]")).filter(
    (el) => visible(el) && !el.querySelector("button, input, select, textarea"));
  // What a tab or section would show: the clickable texts of the panel it controls.
  const panelOf = (el) => {
    const id = el.getAttribute("aria-controls");
    return id ? document.getElementById(id) : null;
  };
  const holds = (panel) => {
    if (!panel) return [];
    const names = [];
    for (const c of panel.querySelectorAll("a[href], button, [role=button], span, div, li")) {
      if (names.length >= 50) break;
      const own = c.matches("a[href], button, [role=button]") || getComputedStyle(c).cursor === "pointer";
      const name = norm(c.innerText || c.textContent);
      if (own && name && name.length <= 80 && !names.includes(name)) names.push(name);
    }
    return names;
  };
  for (const el of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) {
    if (out.headings.length >= maxItems) break;
    if (!visible(el)) continue;
    out.headings.push({ text: norm(el.innerText), level: Number(el.tagName[1]),
                        css: el.tagName.toLowerCase(), css_index: indexIn(el, el.tagName.toLowerCase()) });
  }
  for (const el of document.querySelectorAll("a[href]")) {
    if (out.links.length >= maxItems) break;
    if (!visible(el) || el.closest("[role=tab]")) continue;
    const img = el.querySelector("img[alt]");
    const name = norm(el.getAttribute("aria-label") || el.innerText || el.getAttribute("title")
                      || (img ? img.getAttribute("alt") : ""));
    const css = `a[href="${cssEsc(el.getAttribute("href"))}"]`;
    out.links.push({ text: name, url: el.href, target: el.getAttribute("target") || "",
                     css, css_index: indexIn(el, css), group: groupOf(el), within: withinOf(el) });
  }
  const buttonSel = "button, input[type=submit], input[type=button], input[type=reset], input[type=image], [role=button]";
  for (const el of document.querySelectorAll(buttonSel)) {
    if (out.buttons.length >= maxItems) break;
    if (!visible(el)) continue;
    const name = norm(el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("title") || el.getAttribute("alt"));
    const css = cssFor(el, buttonSel);
    const item = { text: name, kind: (el.getAttribute("type") || el.tagName).toLowerCase(),
                   form: el.form ? (el.form.id || el.form.getAttribute("action") || "") : "",
                   css, css_index: indexIn(el, css), dialog: dialogOf(el), within: withinOf(el) };
    if (closeLike(el)) item.aliases = ["x", "close"];
    out.buttons.push(item);
  }
  const fieldSel = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), textarea, select";
  for (const el of document.querySelectorAll(fieldSel)) {
    if (out.fields.length >= maxItems) break;
    if (!visible(el) && !(el.type === "checkbox" || el.type === "radio" || el.type === "file")) continue;
    const tag = el.tagName.toLowerCase();
    const kind = tag === "input" ? (el.type || "text").toLowerCase() : tag;
    const css = cssFor(el, fieldSel);
    const item = { name: el.getAttribute("name") || "", id: el.id || "", label: labelOf(el),
                   kind, required: !!el.required, css, css_index: indexIn(el, css),
                   multiple: !!el.multiple, placeholder: el.getAttribute("placeholder") || "",
                   dialog: dialogOf(el) };
    if (kind === "checkbox" || kind === "radio") item.checked = !!el.checked;
    else if (kind !== "password" && kind !== "file") item.value = el.value;
    if (tag === "select") item.options = Array.from(el.options).map((o) => norm(o.text));
    out.fields.push(item);
  }
  // Sliders that are not inputs: an ARIA slider, or a widget library's (jQuery UI) slider whose
  // handle carries no role; a field of kind "range" with its value now.
  for (const el of document.querySelectorAll("[role=slider]:not(input), .ui-slider")) {
    if (out.fields.length >= maxItems) break;
    if (!visible(el) || (el.parentElement && el.parentElement.closest(".ui-slider"))) continue;
    const $ = window.jQuery;
    let value = el.getAttribute("aria-valuenow") || "";
    try { if (!value && $ && $(el).slider) value = String($(el).slider("value")); } catch (e) {}
    out.fields.push({ name: "", id: el.id || "", label: labelOf(el), kind: "range",
                      required: false, css: pathOf(el), css_index: 0, multiple: false,
                      placeholder: "", dialog: dialogOf(el), value });
  }
  for (const el of tabEls) {
    if (out.tabs.length >= maxItems) break;
    const css = pathOf(el);
    out.tabs.push({ text: norm(el.getAttribute("aria-label") || el.innerText), css, css_index: 0,
                    selected: el.getAttribute("aria-selected") === "true",
                    expanded: el.getAttribute("aria-expanded") === "true",
                    holds: holds(panelOf(el)) });
  }
  for (const el of document.querySelectorAll("[role=dialog], [role=alertdialog], dialog[open]")) {
    if (out.dialogs.length >= maxItems) break;
    if (!visible(el)) continue;
    out.dialogs.push({ text: dialogOf(el.firstElementChild || el) || "dialog", css: pathOf(el),
                       css_index: 0 });
  }
  // Texts inside an element that are hidden now (a closed folder's items): what clicking it may
  // show. Texts under a visible item nested in it (an open folder's closed folder) are that
  // item's to show, not this one's.
  const underVisibleItem = (c, el) => {
    for (let e = c.parentElement; e && e !== el; e = e.parentElement)
      if (e.tagName === "LI" && visible(e)) return true;
    return false;
  };
  const hiddenHolds = (el) => {
    const names = [];
    for (const c of el.querySelectorAll("*")) {
      if (names.length >= 50) break;
      if (underVisibleItem(c, el)) continue;
      const own = norm(Array.from(c.childNodes).filter((n) => n.nodeType === 3)
        .map((n) => n.textContent).join(" "));
      if (own && own.length <= 80 && !visible(c) && !names.includes(own)) names.push(own);
    }
    return names;
  };
  // A list item's own words: its text less the nested lists it holds (a tree's folder).
  const ownText = (el) => {
    if (el.tagName !== "LI" || !el.querySelector("ul, ol")) return norm(el.innerText);
    return norm(Array.from(el.childNodes).filter((n) => !(n.nodeType === 1 && n.matches("ul, ol")))
      .map((n) => (n.nodeType === 1 ? n.innerText : n.textContent)).join(" "));
  };
  // Text a user would click (a pointer cursor, no link, button or field of its own): a link.
  // A pointer inherited from the parent makes the element part of it, except a list item: each
  // item of a clickable list (a menu, a tree) is a choice of its own.
  // A pointer shown only on hover (".controls span:hover { cursor: pointer }") marks a
  // clickable element too: the style rules say so before any mouse is over it.
  const hoverPointer = new Set();
  for (const sheet of Array.from(document.styleSheets)) {
    let rules = [];
    try { rules = Array.from(sheet.cssRules || []); } catch (e) { continue; }  // cross-origin
    for (const rule of rules) {
      if (!rule.selectorText || !rule.style || rule.style.cursor !== "pointer" ||
          !rule.selectorText.includes(":hover")) continue;
      for (const sel of rule.selectorText.split(",")) {
        if (!sel.includes(":hover")) continue;
        try { document.querySelectorAll(sel.replace(/:hover/g, "")).forEach((e) => hoverPointer.add(e)); }
        catch (e) {}
      }
    }
  }
  const pointer = (el) => getComputedStyle(el).cursor === "pointer" || hoverPointer.has(el);
  // A pointer box whose parts sit side by side and are each a short word or two ("Reply",
  // "Forward") offers each part as a choice of its own, not the box as one (a row's stacked
  // sender, subject and text stay one row).
  const splits = (el) => {
    const kids = Array.from(el.children).filter(visible);
    return kids.length >= 2 && kids.every((c) => {
      const t = norm(c.innerText);
      return t && t.length <= 25 && t.split(" ").length <= 3 &&
        getComputedStyle(c).display.startsWith("inline");
    });
  };
  const known = "a[href], button, input, select, textarea, label, [role=tab], [role=button]";
  for (const el of document.querySelectorAll("body *")) {
    if (out.links.length >= maxItems) break;
    if (el.matches(known) || el.closest(known) || el.querySelector(known)) continue;
    if (!pointer(el) || !visible(el) || splits(el)) continue;
    // A wordless pointer wrapper (a menu button and its closed list) leaves the click to the
    // icon inside it, and what the list holds to the icon's holds.
    const wrapper = el.parentElement && pointer(el.parentElement) ? el.parentElement : null;
    if (el.tagName !== "LI" && wrapper && norm(wrapper.innerText) && !splits(wrapper)) continue;
    let name = ownText(el);
    let icon = false;
    if (!name && !el.children.length) {  // an icon: named by its label, title or class words
      name = norm(el.getAttribute("aria-label") || el.getAttribute("title") || el.getAttribute("alt")
                  || (typeof el.className === "string" ? el.className : "").replace(/[-_]+/g, " ")
                  || (el.id || "").replace(/[-_]+/g, " "));
      icon = !!name;
    }
    if (!name || name.length > 80) continue;
    const css = pathOf(el);
    out.links.push({ text: name, url: "", target: "", css, css_index: 0, group: groupOf(el),
                     holds: hiddenHolds(wrapper && icon ? wrapper : el), icon,
                     within: withinOf(el) });
  }
  for (const el of document.querySelectorAll("table")) {
    if (out.tables.length >= maxItems) break;
    if (!visible(el)) continue;
    const cap = el.querySelector("caption");
    const headers = Array.from(el.querySelectorAll("thead th, tr:first-child th")).map((th) => norm(th.innerText));
    out.tables.push({ caption: cap ? norm(cap.innerText) : norm(el.getAttribute("aria-label") || ""),
                      headers: Array.from(new Set(headers)), rows: el.rows.length,
                      css: "table", css_index: indexIn(el, "table") });
  }
  // The page's paragraphs, each as shown (what "the 3rd word in the paragraph" counts in).
  out.paragraphs = Array.from(document.querySelectorAll("p")).filter(visible)
    .map((el) => norm(el.innerText)).filter((t) => t).slice(0, 20).map((t) => t.slice(0, 2000));
  const main = document.querySelector("main, article, [role=main]") || document.body;
  out.text = main ? norm(main.innerText) : "";
  return out;
}
