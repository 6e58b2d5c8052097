-- CreateEnum
CREATE TYPE "UniversityRole" AS ENUM ('organiser', 'co_organiser', 'participant');

-- CreateEnum
CREATE TYPE "TeamStatus" AS ENUM ('active', 'suspended', 'disqualified', 'withdrawn');

-- CreateEnum
CREATE TYPE "MemberRole" AS ENUM ('leader', 'anchor', 'operator', 'support');

-- CreateEnum
CREATE TYPE "CheckStatus" AS ENUM ('pending', 'verified', 'rejected');

-- CreateEnum
CREATE TYPE "FilingStatus" AS ENUM ('not_required', 'pending', 'filed', 'rejected');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('unchecked', 'ok', 'problem', 'disabled');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('submitted', 'approved', 'rejected');

-- CreateEnum
CREATE TYPE "StageKind" AS ENUM ('preliminary', 'semifinal', 'final', 'other');

-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('scheduled', 'live', 'ended', 'cancelled', 'suspended');

-- CreateEnum
CREATE TYPE "ChecklistStatus" AS ENUM ('none', 'submitted', 'approved', 'returned');

-- CreateEnum
CREATE TYPE "SampleMoveKind" AS ENUM ('issue', 'return');

-- CreateEnum
CREATE TYPE "TrainingTopic" AS ENUM ('platform_basics', 'live_rules', 'youle_shop', 'skills', 'other');

-- CreateEnum
CREATE TYPE "TrainingMode" AS ENUM ('offline', 'online');

-- CreateEnum
CREATE TYPE "ViolationKind" AS ENUM ('product', 'room_setup', 'script', 'anchor_image', 'other');

-- CreateEnum
CREATE TYPE "ViolationDecision" AS ENUM ('warning', 'suspension', 'disqualification');

-- CreateEnum
CREATE TYPE "TicketKind" AS ENUM ('equipment', 'network', 'account', 'product', 'compliance', 'other');

-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('open', 'claimed', 'acknowledged', 'resolved');

-- CreateEnum
CREATE TYPE "TicketStepKind" AS ENUM ('opened', 'claimed', 'acknowledged', 'comment', 'resolved', 'reopened');

-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('info', 'warning', 'critical');

-- CreateEnum
CREATE TYPE "EventType" AS ENUM ('stats', 'order', 'refund');

-- CreateEnum
CREATE TYPE "EventSource" AS ENUM ('collector', 'manual');

-- CreateEnum
CREATE TYPE "IncentiveReason" AS ENUM ('university_joined', 'final_placement', 'adjustment');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('province', 'city', 'team');

-- CreateTable
CREATE TABLE "City" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "short" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "contactName" TEXT,
    "contactPhone" TEXT,
    "contactReportedAt" TIMESTAMP(3),

    CONSTRAINT "City_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "University" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "cityCode" TEXT NOT NULL,
    "role" "UniversityRole" NOT NULL DEFAULT 'participant',
    "joinedAt" TIMESTAMP(3),

    CONSTRAINT "University_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Team" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "cityCode" TEXT NOT NULL,
    "universityId" INTEGER NOT NULL,
    "youleShopId" TEXT,
    "phone" TEXT,
    "contactName" TEXT,
    "contactPhone" TEXT,
    "status" "TeamStatus" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "studentNo" TEXT NOT NULL,
    "role" "MemberRole" NOT NULL DEFAULT 'support',
    "onCamera" BOOLEAN NOT NULL DEFAULT false,
    "phone" TEXT,
    "identityStatus" "CheckStatus" NOT NULL DEFAULT 'pending',
    "identityCheckedBy" INTEGER,
    "identityCheckedAt" TIMESTAMP(3),
    "identityNote" TEXT,
    "anchorFiling" "FilingStatus" NOT NULL DEFAULT 'not_required',
    "anchorFiledBy" INTEGER,
    "anchorFiledAt" TIMESTAMP(3),
    "anchorFilingNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveAccount" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT NOT NULL,
    "accountNo" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" "AccountStatus" NOT NULL DEFAULT 'unchecked',
    "checkedAt" TIMESTAMP(3),
    "checkedBy" INTEGER,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LiveAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountRequest" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT NOT NULL,
    "applicant" TEXT NOT NULL,
    "phone" TEXT,
    "details" JSONB NOT NULL,
    "reason" TEXT,
    "status" "RequestStatus" NOT NULL DEFAULT 'submitted',
    "requestedBy" INTEGER NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedBy" INTEGER,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "accountId" INTEGER,

    CONSTRAINT "AccountRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Stage" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "StageKind" NOT NULL DEFAULT 'other',
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "lockAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Stage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduleReport" (
    "id" SERIAL NOT NULL,
    "stageId" INTEGER NOT NULL,
    "cityCode" TEXT NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reportedBy" INTEGER NOT NULL,

    CONSTRAINT "ScheduleReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Placement" (
    "id" SERIAL NOT NULL,
    "stageId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "decidedBy" INTEGER NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Placement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveSession" (
    "id" SERIAL NOT NULL,
    "stageId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "cityCode" TEXT NOT NULL,
    "accountId" INTEGER,
    "title" TEXT,
    "plannedStart" TIMESTAMP(3) NOT NULL,
    "plannedEnd" TIMESTAMP(3) NOT NULL,
    "actualStart" TIMESTAMP(3),
    "actualEnd" TIMESTAMP(3),
    "status" "SessionStatus" NOT NULL DEFAULT 'scheduled',
    "checklist" "ChecklistStatus" NOT NULL DEFAULT 'none',
    "verifiedGmvFen" INTEGER,
    "createdBy" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LiveSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PreliveChecklist" (
    "sessionId" INTEGER NOT NULL,
    "items" JSONB NOT NULL,
    "status" "ChecklistStatus" NOT NULL DEFAULT 'submitted',
    "submittedBy" INTEGER NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewedBy" INTEGER,
    "reviewedAt" TIMESTAMP(3),
    "returnReason" TEXT,

    CONSTRAINT "PreliveChecklist_pkey" PRIMARY KEY ("sessionId")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "priceFen" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SampleMovement" (
    "id" SERIAL NOT NULL,
    "productId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "cityCode" TEXT NOT NULL,
    "kind" "SampleMoveKind" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "by" INTEGER NOT NULL,
    "note" TEXT,

    CONSTRAINT "SampleMovement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Training" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT,
    "title" TEXT NOT NULL,
    "topic" "TrainingTopic" NOT NULL,
    "mode" "TrainingMode" NOT NULL,
    "heldAt" TIMESTAMP(3) NOT NULL,
    "location" TEXT,
    "createdBy" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Training_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingAttendance" (
    "id" SERIAL NOT NULL,
    "trainingId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "memberId" INTEGER,
    "recordedBy" INTEGER NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrainingAttendance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Violation" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "cityCode" TEXT NOT NULL,
    "sessionId" INTEGER,
    "kind" "ViolationKind" NOT NULL,
    "evidence" TEXT NOT NULL,
    "links" TEXT[],
    "atInSession" TIMESTAMP(3),
    "decision" "ViolationDecision" NOT NULL,
    "reason" TEXT NOT NULL,
    "decidedBy" INTEGER NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedBy" INTEGER,
    "liftedAt" TIMESTAMP(3),
    "liftReason" TEXT,

    CONSTRAINT "Violation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ticket" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "cityCode" TEXT NOT NULL,
    "sessionId" INTEGER,
    "kind" "TicketKind" NOT NULL,
    "text" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'open',
    "openedBy" INTEGER NOT NULL,
    "claimedBy" INTEGER,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Ticket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TicketStep" (
    "id" SERIAL NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "kind" "TicketStepKind" NOT NULL,
    "text" TEXT,
    "by" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TicketStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "sessionId" INTEGER,
    "teamId" INTEGER,
    "cityCode" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "clearedAt" TIMESTAMP(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveEvent" (
    "sessionId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" "EventType" NOT NULL,
    "source" "EventSource" NOT NULL DEFAULT 'collector',
    "at" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "online" INTEGER,
    "views" INTEGER,
    "viewers" INTEGER,
    "likes" INTEGER,
    "comments" INTEGER,
    "shares" INTEGER,
    "followers" INTEGER,
    "orderId" TEXT,
    "quantity" INTEGER,
    "amountFen" INTEGER,
    "productId" TEXT,
    "productName" TEXT,
    "buyerRef" TEXT,

    CONSTRAINT "LiveEvent_pkey" PRIMARY KEY ("sessionId","eventId")
);

-- CreateTable
CREATE TABLE "MinuteAggregate" (
    "sessionId" INTEGER NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "onlineMax" INTEGER NOT NULL DEFAULT 0,
    "onlineLast" INTEGER NOT NULL DEFAULT 0,
    "views" INTEGER NOT NULL DEFAULT 0,
    "viewers" INTEGER,
    "likes" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "units" INTEGER NOT NULL DEFAULT 0,
    "gmvFen" INTEGER NOT NULL DEFAULT 0,
    "refunds" INTEGER NOT NULL DEFAULT 0,
    "refundFen" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "MinuteAggregate_pkey" PRIMARY KEY ("sessionId","minute")
);

-- CreateTable
CREATE TABLE "AnalysisRecord" (
    "sessionId" INTEGER NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "metrics" JSONB NOT NULL,
    "curves" JSONB NOT NULL,
    "products" JSONB NOT NULL,
    "moments" JSONB NOT NULL,
    "wentWell" TEXT,
    "wentWrong" TEXT,
    "toChange" TEXT,
    "keepProducts" TEXT,
    "dropProducts" TEXT,
    "reflectedBy" INTEGER,
    "reflectedAt" TIMESTAMP(3),
    "cityComment" TEXT,
    "commentedBy" INTEGER,
    "commentedAt" TIMESTAMP(3),

    CONSTRAINT "AnalysisRecord_pkey" PRIMARY KEY ("sessionId")
);

-- CreateTable
CREATE TABLE "IncentiveEntry" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reason" "IncentiveReason" NOT NULL,
    "universityId" INTEGER,
    "teamId" INTEGER,
    "dedupeKey" TEXT,
    "note" TEXT,
    "createdBy" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IncentiveEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "displayName" TEXT,
    "role" "Role" NOT NULL,
    "cityCode" TEXT,
    "teamId" INTEGER,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthToken" (
    "id" SERIAL NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "AuthToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CollectorKey" (
    "id" SERIAL NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "label" TEXT,
    "cityCode" TEXT,
    "teamId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "CollectorKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER,
    "actorRole" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "cityCode" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedBy" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "University_name_key" ON "University"("name");

-- CreateIndex
CREATE INDEX "University_cityCode_idx" ON "University"("cityCode");

-- CreateIndex
CREATE INDEX "Team_universityId_idx" ON "Team"("universityId");

-- CreateIndex
CREATE UNIQUE INDEX "Team_cityCode_name_key" ON "Team"("cityCode", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Member_teamId_studentNo_key" ON "Member"("teamId", "studentNo");

-- CreateIndex
CREATE UNIQUE INDEX "LiveAccount_accountNo_key" ON "LiveAccount"("accountNo");

-- CreateIndex
CREATE INDEX "LiveAccount_cityCode_idx" ON "LiveAccount"("cityCode");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleReport_stageId_cityCode_key" ON "ScheduleReport"("stageId", "cityCode");

-- CreateIndex
CREATE UNIQUE INDEX "Placement_stageId_teamId_key" ON "Placement"("stageId", "teamId");

-- CreateIndex
CREATE INDEX "LiveSession_stageId_cityCode_idx" ON "LiveSession"("stageId", "cityCode");

-- CreateIndex
CREATE INDEX "LiveSession_teamId_idx" ON "LiveSession"("teamId");

-- CreateIndex
CREATE INDEX "LiveSession_accountId_idx" ON "LiveSession"("accountId");

-- CreateIndex
CREATE INDEX "LiveSession_status_plannedStart_idx" ON "LiveSession"("status", "plannedStart");

-- CreateIndex
CREATE UNIQUE INDEX "Product_cityCode_name_key" ON "Product"("cityCode", "name");

-- CreateIndex
CREATE INDEX "SampleMovement_cityCode_teamId_idx" ON "SampleMovement"("cityCode", "teamId");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingAttendance_trainingId_teamId_memberId_key" ON "TrainingAttendance"("trainingId", "teamId", "memberId");

-- CreateIndex
CREATE INDEX "Violation_teamId_idx" ON "Violation"("teamId");

-- CreateIndex
CREATE INDEX "Violation_cityCode_idx" ON "Violation"("cityCode");

-- CreateIndex
CREATE INDEX "Ticket_cityCode_status_idx" ON "Ticket"("cityCode", "status");

-- CreateIndex
CREATE INDEX "Ticket_teamId_idx" ON "Ticket"("teamId");

-- CreateIndex
CREATE INDEX "TicketStep_ticketId_idx" ON "TicketStep"("ticketId");

-- CreateIndex
CREATE INDEX "Alert_key_clearedAt_idx" ON "Alert"("key", "clearedAt");

-- CreateIndex
CREATE INDEX "Alert_cityCode_clearedAt_idx" ON "Alert"("cityCode", "clearedAt");

-- CreateIndex
CREATE INDEX "Alert_sessionId_idx" ON "Alert"("sessionId");

-- CreateIndex
CREATE INDEX "LiveEvent_sessionId_at_idx" ON "LiveEvent"("sessionId", "at");

-- CreateIndex
CREATE INDEX "LiveEvent_sessionId_orderId_idx" ON "LiveEvent"("sessionId", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "IncentiveEntry_dedupeKey_key" ON "IncentiveEntry"("dedupeKey");

-- CreateIndex
CREATE INDEX "IncentiveEntry_cityCode_idx" ON "IncentiveEntry"("cityCode");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "AuthToken_tokenHash_key" ON "AuthToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuthToken_userId_idx" ON "AuthToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "CollectorKey_keyHash_key" ON "CollectorKey"("keyHash");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_cityCode_at_idx" ON "AuditLog"("cityCode", "at");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- AddForeignKey
ALTER TABLE "University" ADD CONSTRAINT "University_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Team" ADD CONSTRAINT "Team_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Team" ADD CONSTRAINT "Team_universityId_fkey" FOREIGN KEY ("universityId") REFERENCES "University"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveAccount" ADD CONSTRAINT "LiveAccount_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountRequest" ADD CONSTRAINT "AccountRequest_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountRequest" ADD CONSTRAINT "AccountRequest_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "LiveAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleReport" ADD CONSTRAINT "ScheduleReport_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "Stage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleReport" ADD CONSTRAINT "ScheduleReport_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Placement" ADD CONSTRAINT "Placement_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "Stage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveSession" ADD CONSTRAINT "LiveSession_stageId_fkey" FOREIGN KEY ("stageId") REFERENCES "Stage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveSession" ADD CONSTRAINT "LiveSession_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveSession" ADD CONSTRAINT "LiveSession_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveSession" ADD CONSTRAINT "LiveSession_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "LiveAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PreliveChecklist" ADD CONSTRAINT "PreliveChecklist_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Product" ADD CONSTRAINT "Product_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleMovement" ADD CONSTRAINT "SampleMovement_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleMovement" ADD CONSTRAINT "SampleMovement_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleMovement" ADD CONSTRAINT "SampleMovement_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Training" ADD CONSTRAINT "Training_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingAttendance" ADD CONSTRAINT "TrainingAttendance_trainingId_fkey" FOREIGN KEY ("trainingId") REFERENCES "Training"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingAttendance" ADD CONSTRAINT "TrainingAttendance_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingAttendance" ADD CONSTRAINT "TrainingAttendance_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Violation" ADD CONSTRAINT "Violation_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Violation" ADD CONSTRAINT "Violation_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Violation" ADD CONSTRAINT "Violation_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ticket" ADD CONSTRAINT "Ticket_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ticket" ADD CONSTRAINT "Ticket_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ticket" ADD CONSTRAINT "Ticket_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TicketStep" ADD CONSTRAINT "TicketStep_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LiveEvent" ADD CONSTRAINT "LiveEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MinuteAggregate" ADD CONSTRAINT "MinuteAggregate_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisRecord" ADD CONSTRAINT "AnalysisRecord_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LiveSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncentiveEntry" ADD CONSTRAINT "IncentiveEntry_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncentiveEntry" ADD CONSTRAINT "IncentiveEntry_universityId_fkey" FOREIGN KEY ("universityId") REFERENCES "University"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncentiveEntry" ADD CONSTRAINT "IncentiveEntry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthToken" ADD CONSTRAINT "AuthToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CollectorKey" ADD CONSTRAINT "CollectorKey_cityCode_fkey" FOREIGN KEY ("cityCode") REFERENCES "City"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CollectorKey" ADD CONSTRAINT "CollectorKey_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;
