// The profile form, enhanced: each concept list gets a filter box (matching labels in every language and
// codes, ignoring case and accents), and the place gets a map where choosing a neighbourhood sets the
// place and a click sets the exact point. Without JavaScript the form works as it is: lists and fields.
"use strict";

function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function enhancePicker(picker) {
  const filter = picker.querySelector(".picker-filter");
  if (!filter) { return; }
  filter.hidden = false;
  const items = Array.from(picker.querySelectorAll("li[data-terms]"));
  const terms = items.map((item) => fold(item.dataset.terms + " " + item.textContent));
  filter.addEventListener("input", () => {
    const words = fold(filter.value).split(/\s+/).filter(Boolean);
    items.forEach((item, index) => {
      const checked = item.querySelector("input").checked;
      item.hidden = !checked && !words.every((word) => terms[index].includes(word));
    });
  });
}

function enhancePlace(form) {
  const select = form.querySelector("#basedIn");
  const holder = form.querySelector(".place-projection");
  if (!select || !holder) { return; }
  form.querySelectorAll("[data-map]").forEach((element) => { element.hidden = false; });
  const projection = {};
  ["west", "north", "scaleX", "scaleY", "margin"].forEach((name) => { projection[name] = Number(holder.dataset[name]); });
  const latitude = form.querySelector("#latitude");
  const longitude = form.querySelector("#longitude");
  const svg = holder.querySelector("svg");
  holder.querySelectorAll("a.dm-area").forEach((area) => {
    area.addEventListener("click", (event) => {
      event.preventDefault();
      select.value = "neighbourhood:" + area.dataset.code;
      holder.querySelectorAll("a.dm-area[aria-current]").forEach((other) => other.removeAttribute("aria-current"));
      area.setAttribute("aria-current", "true");
      if (event.detail > 0 && svg && svg.getScreenCTM()) {  // a pointer's click, not Enter on the link
        const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
        const lon = (point.x - projection.margin) / projection.scaleX + projection.west;
        const lat = projection.north - (point.y - projection.margin) / projection.scaleY;
        latitude.value = lat.toFixed(5);
        longitude.value = lon.toFixed(5);
      }
    });
  });
}

document.querySelectorAll("form.profile-form").forEach((form) => {
  form.querySelectorAll(".picker").forEach(enhancePicker);
  enhancePlace(form);
});
