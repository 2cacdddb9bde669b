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
    return norm(el.getAttribute("placeholder") || el.getAttribute("title") || "");
  };
  const cssFor = (el, base) => {
    if (el.id) return `#${cssEsc(el.id)}`;
    if (el.getAttribute("name")) return `${el.tagName.toLowerCase()}[name="${cssEsc(el.getAttribute("name"))}"]`;
    return base;
  };
  const indexIn = (el, css) => Array.prototype.indexOf.call(document.querySelectorAll(css), el);
  const out = { url: location.href, title: document.title, links: [], buttons: [], fields: [],
                tables: [], headings: [], text: "" };
  for (const el of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) {
    if (out.headings.length >= maxItems) break;
    if (!visible(el)) continue;
    out.headings.push({ text: norm(el.innerText), level: Number(el.tagName[1]),
                        css: el.tagName.toLowerCase(), css_index: indexIn(el, el.tagName.toLowerCase()) });
  }
  for (const el of document.querySelectorAll("a[href]")) {
    if (out.links.length >= maxItems) break;
    if (!visible(el)) continue;
    const img = el.querySelector("img[alt]");
    const name = norm(el.getAttribute("aria-label") || el.innerText || el.getAttribute("title")
                      || (img ? img.getAttribute("alt") : ""));
    const css = `a[href="${cssEsc(el.getAttribute("href"))}"]`;
    out.links.push({ text: name, url: el.href, target: el.getAttribute("target") || "",
                     css, css_index: indexIn(el, css) });
  }
  const buttonSel = "button, input[type=submit], input[type=button], input[type=reset], input[type=image], [role=button]";
  for (const el of document.querySelectorAll(buttonSel)) {
    if (out.buttons.length >= maxItems) break;
    if (!visible(el)) continue;
    const name = norm(el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("title") || el.getAttribute("alt"));
    const css = cssFor(el, buttonSel);
    out.buttons.push({ text: name, kind: (el.getAttribute("type") || el.tagName).toLowerCase(),
                       form: el.form ? (el.form.id || el.form.getAttribute("action") || "") : "",
                       css, css_index: indexIn(el, css) });
  }
  const fieldSel = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), textarea, select";
  for (const el of document.querySelectorAll(fieldSel)) {
    if (out.fields.length >= maxItems) break;
    if (!visible(el) && !(el.type === "checkbox" || el.type === "radio" || el.type === "file")) continue;
    const tag = el.tagName.toLowerCase();
    const kind = tag === "input" ? (el.getAttribute("type") || "text").toLowerCase() : tag;
    const css = cssFor(el, fieldSel);
    const item = { name: el.getAttribute("name") || "", id: el.id || "", label: labelOf(el),
                   kind, required: !!el.required, css, css_index: indexIn(el, css),
                   multiple: !!el.multiple };
    if (kind === "checkbox" || kind === "radio") item.checked = !!el.checked;
    else if (kind !== "password" && kind !== "file") item.value = el.value;
    if (tag === "select") item.options = Array.from(el.options).map((o) => norm(o.text));
    out.fields.push(item);
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
  const main = document.querySelector("main, article, [role=main]") || document.body;
  out.text = main ? norm(main.innerText) : "";
  return out;
}
