// What a counsellor records when a contact ends, one form for closing a chat and for a logged call
// or walk-in (docs/cases.md): the contact's type first, its outcomes (needed for counselling only),
// the victim status, main category, province, age group and sex. Each form is a ``.record`` box in
// its dialog (console.html); its fields carry ``data-field``, its checkboxes and radios the names
// the box gives (``data-outcome-name``, ``data-victim-name``).
import { el, fillSelect } from "./core.js";

const SELECTS = { contact_type: "contact_types", category: "categories", age_group: "age_groups", sex: "sexes",
                  province: "provinces" };
// The only type that needs outcomes (data/contact_framework.yml, ``counselling: true``); with no
// type chosen the API takes it from the outcomes ticked, as before issue 17.
const NEEDS_OUTCOMES = ["", "counselling"];

const field = (box, name) => box.querySelector("[data-field=" + name + "]");

// The choices from the page's words; ``outcomes``: the outcome codes this form offers.
export function fillRecord(box, options, outcomes) {
  Object.keys(SELECTS).forEach((name) => fillSelect(field(box, name), options[SELECTS[name]] || {}));
  const choices = (set, type, name, words, keys) => {
    set.querySelectorAll("label").forEach((n) => n.remove());
    keys.forEach((k) => {
      const label = el("label"), input = el("input");
      input.type = type; input.name = name; input.value = k;
      label.appendChild(input); label.appendChild(document.createTextNode(" " + words[k])); set.appendChild(label);
    });
  };
  choices(field(box, "outcomes"), "checkbox", box.dataset.outcomeName, options.outcomes, outcomes);
  choices(field(box, "victim"), "radio", box.dataset.victimName, options.victim_status, Object.keys(options.victim_status));
  if (!box.dataset.ready) {
    field(box, "contact_type").addEventListener("change", () => showOutcomes(box));
    box.dataset.ready = "1";
  }
}

// Outcomes are asked for a counselling contact only; another type has none to tick.
function showOutcomes(box) {
  const set = field(box, "outcomes"), needed = NEEDS_OUTCOMES.indexOf(field(box, "contact_type").value) >= 0;
  set.hidden = !needed;
  if (!needed) set.querySelectorAll("input").forEach((i) => { i.checked = false; });
}

// Clean for the next contact: nothing chosen, the victim status unknown; ``province``: the one the
// person named, when it is one of the list.
export function resetRecord(box, province) {
  box.querySelectorAll("select").forEach((s) => { s.value = ""; });
  box.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = false; });
  box.querySelectorAll("input[type=radio]").forEach((r) => { r.checked = r.value === "unknown"; });
  const where = field(box, "province");
  if (province && Array.from(where.options).some((o) => o.value === province)) where.value = province;
  showOutcomes(box);
}

// The fields as the API takes them (an empty choice is left to its default).
export function readRecord(box) {
  const victim = box.querySelector("input[type=radio]:checked");
  const body = { outcomes: Array.from(box.querySelectorAll("input[type=checkbox]:checked"), (b) => b.value),
                 victim: victim ? victim.value : "unknown" };
  Object.keys(SELECTS).forEach((name) => { if (field(box, name).value) body[name] = field(box, name).value; });
  return body;
}
