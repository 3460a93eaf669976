/* global document -- a browser page */
// Table and list builders for the dashboard. Cells get text, never HTML:
// what they show comes from GitLab and may hold markup.

/** Fills `table` (its caption kept): a header row, then one row per item. */
export function fillTable(table, empty, items, columns) {
  const caption = table.querySelector('caption');
  table.replaceChildren(...(caption ? [caption] : []));
  const head = table.createTHead().insertRow();
  for (const [label, , numeric] of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    if (numeric) th.className = 'number';
    head.append(th);
  }
  const body = table.createTBody();
  if (items.length === 0) {
    const cell = body.insertRow().insertCell();
    cell.colSpan = columns.length;
    cell.className = 'empty';
    cell.textContent = empty;
    return;
  }
  for (const item of items) {
    const row = body.insertRow();
    columns.forEach(([, value, numeric], i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      if (numeric) cell.className = 'number';
      cell.textContent = show(value(item));
      row.append(cell);
    });
  }
}

export function fillList(list, texts) {
  list.replaceChildren(
    ...texts.map((text) => {
      const item = document.createElement('li');
      item.textContent = text;
      return item;
    }),
  );
}

export function show(value) {
  return value === null || value === undefined ? '–' : String(value);
}

export function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
