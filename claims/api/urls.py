from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import exports, feed, signin, views, webhooks

router = DefaultRouter()
router.register("papers", views.PaperViewSet, basename="paper")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("evidence-types", views.EvidenceTypeViewSet, basename="evidencetype")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("releases", views.ReleaseViewSet, basename="release")
router.register("webhooks", webhooks.SubscriptionViewSet, basename="webhook")

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", signin.ObtainAuthToken.as_view(), name="api-token"),
    path("changes/", feed.ChangeFeedView.as_view(), name="changes"),
    path("exports/", exports.ExportsView.as_view(), name="exports"),
    path("exports/accepted.jsonl", exports.AcceptedExportView.as_view(), name="export-accepted"),
    path("context.jsonld", exports.ContextView.as_view(), name="jsonld-context"),
    path("vocab", exports.VocabularyView.as_view(), name="jsonld-vocab"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its start-up script is a file of its own, as the Content Security Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]
