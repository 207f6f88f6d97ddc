// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  const adder = event.target.closest("[data-add-row]");
  if (!adder) return;
  const body = document.querySelector(`#${adder.dataset.addRow} tbody`);
  const rows = body.querySelectorAll("tr");
  const last = rows[rows.length - 1];
  const index = rows.length;
  const clone = last.cloneNode(true);
  clone.querySelectorAll("input").forEach((input) => {
    input.name = input.name.replace(/-\d+-/, `-${index}-`);
    input.id = input.id.replace(/-\d+-/, `-${index}-`);
    input.value = "";
    const label = input.getAttribute("aria-label");
    if (label) input.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1)));
  });
  clone.querySelectorAll(".error").forEach((node) => node.remove());
  clone.querySelector("td").textContent = String(index + 1);
  body.appendChild(clone);
});

// A running job's page follows its progress until it ends, then reloads to show the outcome.
(function followJob() {
  const box = document.querySelector("[data-job-progress]");
  if (!box) return;
  const status = box.querySelector("[data-job-status]");
  if (status && /job-(done|failed)/.test(status.className)) return;
  const poll = () => {
    fetch(box.dataset.jobProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        box.querySelector("[data-job-bar]").value = data.percent;
        box.querySelector("[data-job-percent]").textContent = data.percent;
        box.querySelector("[data-job-count]").textContent = `${data.done}/${data.total}`;
        box.querySelector("[data-job-message]").textContent = data.message;
        status.textContent = data.status_label;
        if (data.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  window.setTimeout(poll, 700);
})();

// --- Vendored helpers, loaded only on the pages that use them (static/vendor/*/README.txt) ---------
const VENDOR = document.currentScript ? document.currentScript.dataset : {};
const loaded = {};

function loadScript(src) {
  loaded[src] = loaded[src] || new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
  return loaded[src];
}

function loadStyle(href) {
  // The helpers' markup is only drawn once their stylesheet is in: unstyled, a hidden calendar widens a phone.
  if (!href) return Promise.resolve();
  loaded[href] = loaded[href] || new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.onload = resolve;
    link.onerror = resolve;
    // Before app.css, so that the app's own rules win.
    document.head.insertBefore(link, document.querySelector('link[rel="stylesheet"]'));
  });
  return loaded[href];
}

function loadInOrder(sources) {
  return sources.split(" ").filter(Boolean).reduce((chain, src) => chain.then(() => loadScript(src)), Promise.resolve());
}

// Lower-case, without diacritics, đ as d, single-spaced: "Trường Tiểu học Đống Đa" -> "truong tieu hoc dong da"
// (as thidua.text.fold on the server).
function fold(text) {
  return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
    .toLowerCase().replace(/\s+/g, " ").trim();
}

// --- Dates: dd/mm/yyyy whatever the browser's language, with a Vietnamese calendar -----------------
// The box is plain text that the server reads (thidua.forms.VnDateField); the calendar only fills it.
function readDate(text) {
  const value = (text || "").trim();
  let day, month, year, match;
  if ((match = value.match(/^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/))) {
    [day, month, year] = match.slice(1).map(Number);
  } else if ((match = value.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) {
    [year, month, day] = match.slice(1).map(Number);
  } else {
    return undefined;
  }
  const date = new Date(year, month - 1, day);
  const real = date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day;
  return real && year >= 1900 && year <= 2100 ? date : undefined;
}

(function dateFields() {
  const boxes = document.querySelectorAll("input[data-date]");
  if (!boxes.length || !VENDOR.calendar) return;
  Promise.all([loadStyle(VENDOR.calendarCss), loadInOrder(VENDOR.calendar)]).then(() => {
    boxes.forEach((box) => {
      const picker = window.flatpickr(box, {
        locale: "vn",
        dateFormat: "d/m/Y",
        allowInput: true,
        disableMobile: true, // a phone's own date input would show its own order again
        parseDate: (text) => readDate(text),
        errorHandler: () => {}, // an impossible date already has the server's message beside it
        onReady: (dates, text, instance) => {
          instance.calendarContainer.setAttribute("aria-label", "Lịch chọn ngày");
        },
      });
      // What cannot be a date (31/02/2024, "hôm qua") stays as typed, for the server to explain;
      // flatpickr would empty the box.
      const setDate = picker.setDate;
      picker.setDate = (value, triggerChange, format) => {
        if (typeof value === "string" && value.trim() && !readDate(value)) return undefined;
        return setDate(value, triggerChange, format);
      };
    });
  }).catch(() => {});
})();

// --- Searchable lists: typed with or without diacritics ----------------------------------------------
function foldedScore(search) {
  const words = fold(search).split(" ").filter(Boolean);
  return (item) => {
    const text = fold(item.text);
    if (!words.every((word) => text.includes(word))) return 0;
    const phrase = text.indexOf(words.join(" "));
    return phrase === 0 ? 3 : phrase > 0 ? 2 : 1;
  };
}

function searchable(select) {
  const multiple = select.multiple;
  const blank = select.querySelector('option[value=""]');
  const picker = new window.TomSelect(select, {
    maxOptions: null,
    allowEmptyOption: false,
    score: foldedScore,
    sortField: [{ field: "$score", direction: "desc" }, { field: "$order" }],
    plugins: multiple ? ["remove_button"] : [],
    // A list of several keeps its prompt, so the box does not shrink under a finger leaving it.
    hidePlaceholder: !multiple,
    placeholder: select.dataset.placeholder || (blank && blank.textContent.trim()) || "Gõ để tìm…",
    render: {
      no_results: () => '<div class="no-results">Không tìm thấy — thử gõ ít chữ hơn.</div>',
    },
  });
  picker.control_input.setAttribute("aria-label", select.dataset.searchLabel || "Gõ để tìm");
  return picker;
}

// The committee's candidates are ticked in a list of checkboxes; with scripts they become one
// searchable box that sends the same user_id values.
function candidatesToSelect(fieldset) {
  const select = document.createElement("select");
  select.multiple = true;
  select.name = "user_id";
  select.id = "them-thanh-vien-chon";
  select.dataset.placeholder = "Gõ họ tên, tên đăng nhập hoặc đơn vị…";
  select.dataset.searchLabel = "Chọn tài khoản";
  fieldset.querySelectorAll("label[data-candidate]").forEach((label) => {
    const box = label.querySelector("input[type=checkbox]");
    const option = new Option(label.textContent.replace(/\s+/g, " ").trim(), box.value, false, box.checked);
    select.appendChild(option);
    box.disabled = true;
  });
  const label = document.createElement("label");
  label.className = "label";
  label.htmlFor = select.id;
  label.textContent = "Chọn tài khoản";
  fieldset.hidden = true;
  fieldset.after(label, select);
  return select;
}

(function searchableLists() {
  const selects = [...document.querySelectorAll("select[data-search]")];
  const lists = [...document.querySelectorAll("fieldset[data-search-candidates]")];
  if (!(selects.length || lists.length) || !VENDOR.picker) return;
  Promise.all([loadStyle(VENDOR.pickerCss), loadScript(VENDOR.picker)])
    .then(() => {
      lists.forEach((fieldset) => selects.push(candidatesToSelect(fieldset)));
      selects.forEach(searchable);
      // Every candidate is in the box already: the page's own search would only say the same again.
      lists.filter((fieldset) => fieldset.hasAttribute("data-complete")).forEach((fieldset) => {
        const search = fieldset.closest("section").querySelector('form[role="search"]');
        if (search) search.hidden = true;
      });
    }).catch(() => {});
})();
