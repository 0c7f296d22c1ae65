// What Flask-Admin's templates did with inline handlers, which the site's
// Content-Security-Policy does not run (templates/admin/actions.html and
// admin/model/layout.html): one delegated listener, loaded in <head>.
document.addEventListener("click", function (event) {
  var action = event.target.closest("[data-model-action]");
  if (action) {  // a "With selected" item
    event.preventDefault();
    window.modelActions.execute(action.getAttribute("data-model-action"));
    return;
  }
  if (event.target.closest("a.filter[href='#']")) {  // an "Add Filter" item: filters.js adds it
    event.preventDefault();
  }
});
