from claims.models.changes import Change
from claims.models.claims import Claim, Evidence
from claims.models.papers import Paper, Topic
from claims.models.releases import Release
from claims.models.reviews import ClaimVersion, CuratorReview
from claims.models.tokens import ApiToken
from claims.models.vocabulary import EvidenceType
from claims.models.webhooks import Subscription, SubscriptionState

__all__ = ["ApiToken", "Change", "Claim", "ClaimVersion", "CuratorReview", "Evidence",
           "EvidenceType", "Paper", "Release", "Subscription", "SubscriptionState", "Topic"]
