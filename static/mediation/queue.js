// "Select all" for the queue's checkboxes; the page works without it.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-select-all]");
  if (!box) return;
  for (const item of document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`)) item.checked = box.checked;
});
