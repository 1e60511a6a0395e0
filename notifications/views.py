from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import MarkReadForm
from .selectors import notification_list
from .services import notification_mark_read


@login_required
def notification_index(request):
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    # The unread count comes from the context processor (`unread_notifications`), counted once per request.
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    form = MarkReadForm(request.POST)
    if form.is_valid():
        notification_mark_read(user=request.user, notification_id=form.cleaned_data["notification"])
    return redirect("notifications:list")
