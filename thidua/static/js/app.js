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
