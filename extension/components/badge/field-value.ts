/**
 * Puts a value into a page's field so the page notices, including frameworks that keep their
 * own copy of the value (React's controlled inputs track the last value they saw through an
 * own `value` property on the element). Writing through the prototype's setter changes the
 * real value behind such a tracker, and the bubbling `input` and `change` events that follow
 * are what the framework listens to.
 */
export function setFieldValue(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const win = field.ownerDocument.defaultView;
  // A textarea's value setter lives on its own prototype (the input's would throw on it).
  const proto = (field.localName === 'textarea' ? win?.HTMLTextAreaElement.prototype : win?.HTMLInputElement.prototype) ?? Object.getPrototypeOf(field);
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(field, value);
  else field.value = value;
  const EventCtor = win?.Event ?? Event;
  field.dispatchEvent(new EventCtor('input', { bubbles: true, composed: true }));
  field.dispatchEvent(new EventCtor('change', { bubbles: true }));
}
