"""Labels of selection fields, as the pages show them."""


def selection_labels(model, field_name):
    """``{value: label}`` of the selection field ``field_name`` of ``model`` (a model or recordset),
    in the language of its environment."""
    return dict(model._fields[field_name]._description_selection(model.env))
