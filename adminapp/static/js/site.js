// Avatars from Gravatar sit over the initials avatar. When one cannot load (no
// network, a strict proxy) remove it, so the initials show instead of a broken
// image icon. Loaded in <head>, before any image: the listener catches errors
// in the capture phase, as image errors do not bubble.
document.addEventListener("error", function (event) {
  var target = event.target;
  if (target && target.tagName === "IMG" && target.parentNode &&
      target.parentNode.classList.contains("avatar")) {
    target.parentNode.removeChild(target);
  }
}, true);
