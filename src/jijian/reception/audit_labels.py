"""Chinese names of the events video reception records in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "reception.schedule_create": "发布接访安排",
        "reception.book": "预约视频接访",
        "reception.confirm": "确认视频接访预约",
        "reception.reschedule": "视频接访改约",
        "reception.transfer": "视频接访按管理权限转交",
        "reception.cancel": "取消视频接访",
        "reception.no_show": "登记信访人未到场",
        "reception.view": "查看视频接访预约",
        "reception.start": "开始视频接访",
        "reception.end": "结束视频接访",
        "reception.document_add": "接访材料入卷",
        "reception.minutes_save": "制作接访笔录",
        "reception.minutes_confirm": "信访人确认接访笔录",
        "reception.minutes_endorse": "接访笔录签字背书",
        "reception.case": "视频接访登记或关联信访举报",
        "reception.recording_verified": "接访录像转换并核验",
        "reception.recording_play": "播放接访录像",
        "reception.stats_export": "导出视频接访统计",
        "reception.wait": "信访人进入等候室",
        "reception.admit": "准入等候的信访人",
        "reception.refuse": "未准入等候的信访人",
        "reception.petitioner_document": "信访人在接访中上传材料",
        "reception.recording_purge": "接访录像超过保存期限删除",
    },
)
