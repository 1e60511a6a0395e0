from django import forms


class MarkReadForm(forms.Form):
    notification = forms.IntegerField(required=False, min_value=1)
