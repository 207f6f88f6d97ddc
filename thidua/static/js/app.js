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
